/// Talks one management protocol (IPMI, Redfish) to one BMC. Implementations give up at `deadline`.
public protocol BMCDriver: Sendable {
    func perform(_ operation: PowerOperation, on endpoint: BMCEndpoint,
                 deadline: ContinuousClock.Instant) async throws -> PowerReport
}

/// Why an operation failed, as one line an operator can act on (the driver's words, never a password).
public struct PowerFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
