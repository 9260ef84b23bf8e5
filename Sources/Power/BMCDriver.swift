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

/// A failure after the BMC accepted some of the operation's changes (`netroot boot`: the boot device set, then
/// the power on refused). The changes made stay in the node's result and boot timeline; the failure's own words
/// are the line shown.
public struct PowerFailureAfterSteps: Error, CustomStringConvertible {
    /// The changes the BMC accepted before the failure, in order.
    public var steps: [PowerStep]
    public var failure: any Error

    public init(steps: [PowerStep], failure: any Error) {
        self.steps = steps
        self.failure = failure
    }

    public var description: String { "\(failure)" }

    /// `error` with `steps` attached when there are any (else `error` itself, as it was thrown).
    public static func wrapping(_ error: any Error, after steps: [PowerStep]) -> any Error {
        if steps.isEmpty || error is PowerFailureAfterSteps { return error }
        return PowerFailureAfterSteps(steps: steps, failure: error)
    }
}
