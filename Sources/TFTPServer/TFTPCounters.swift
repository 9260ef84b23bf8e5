import NIOConcurrencyHelpers

/// Transfers and refusals the TFTP service has seen.
public final class TFTPCounters: Sendable {
    /// A copy of the counts at one moment.
    public struct Snapshot: Sendable {
        public var requests = 0
        public var completed = 0
        public var aborted = 0
        public var timedOut = 0
        /// Transfers ended because the file could not be read whole.
        public var failed = 0
        public var refused: [String: Int] = [:]
        public var malformed = 0
        public var unknownTransferID = 0
        public var bytesSent = 0
    }

    private let state = NIOLockedValueBox(Snapshot())

    public init() {}

    public var snapshot: Snapshot { state.withLockedValue { $0 } }

    func update(_ change: (inout Snapshot) -> Void) { state.withLockedValue(change) }
}
