/// A node selected for a power operation: its BMC, or why it cannot be reached (no `bmc:`, no password file).
public struct PowerTarget: Sendable {
    public var node: String
    public var mac: String
    public var endpoint: Result<BMCEndpoint, PowerFailure>

    public init(node: String, mac: String, endpoint: Result<BMCEndpoint, PowerFailure>) {
        self.node = node
        self.mac = mac
        self.endpoint = endpoint
    }
}

/// What came of one node's operation.
public struct NodeResult: Sendable, Equatable {
    public var node: String
    public var mac: String
    public var operation: PowerOperation
    /// The report when the BMC did what was asked. On failure: the changes the BMC accepted before it (a boot
    /// device set, then a power on refused), which still belong in the timeline; nil when there were none.
    public var report: PowerReport?
    /// One line saying why it failed; nil on success.
    public var error: String?
    /// From the first packet to the last answer (or the failure).
    public var seconds: Double
    public var ok: Bool { error == nil }

    public init(node: String, mac: String, operation: PowerOperation, report: PowerReport?, error: String?,
                seconds: Double) {
        self.node = node
        self.mac = mac
        self.operation = operation
        self.report = report
        self.error = error
        self.seconds = seconds
    }
}
