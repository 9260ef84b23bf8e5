import Power

/// Redfish over HTTPS (DMTF DSP0266): being written; refuses every operation until then.
public struct RedfishDriver: BMCDriver {
    public init() {}

    public func perform(_ operation: PowerOperation, on endpoint: BMCEndpoint,
                        deadline: ContinuousClock.Instant) async throws -> PowerReport {
        throw PowerFailure("Redfish is not available in this build")
    }
}
