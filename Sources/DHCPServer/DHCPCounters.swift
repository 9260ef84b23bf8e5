import DHCP
import Foundation
import NIOConcurrencyHelpers

/// What the DHCP service has seen, by kind: for logs now, for metrics and `netroot status` later.
public final class DHCPCounters: Sendable {
    /// A copy of the counts at one moment.
    public struct Snapshot: Sendable {
        public var received = 0
        /// Requests by DHCP message type.
        public var requests: [String: Int] = [:]
        public var malformed: [String: Int] = [:]
        public var ignored: [String: Int] = [:]
        public var sent: [String: Int] = [:]
        public var journalFailures = 0
        /// Set while lease journal writes fail: since when (Unix seconds), and why.
        public var journalFailingSince: Double?
        public var journalError: String?
    }

    private let state = NIOLockedValueBox(Snapshot())

    public init() {}

    public var snapshot: Snapshot { state.withLockedValue { $0 } }

    func received() { state.withLockedValue { $0.received += 1 } }
    func request(_ type: DHCPMessageType) { state.withLockedValue { $0.requests["\(type)", default: 0] += 1 } }
    func malformed(_ error: DHCPDecodeError) { state.withLockedValue { $0.malformed["\(error)", default: 0] += 1 } }
    func ignored(_ reason: IgnoreReason) { state.withLockedValue { $0.ignored[reason.label, default: 0] += 1 } }
    func sent(_ type: DHCPMessageType) { state.withLockedValue { $0.sent["\(type)", default: 0] += 1 } }
    func journalFailed(_ reason: String, since: Double?) {
        state.withLockedValue {
            $0.journalFailures += 1
            $0.journalFailingSince = since
            $0.journalError = reason
        }
    }

    func journalRecovered() {
        state.withLockedValue {
            $0.journalFailingSince = nil
            $0.journalError = nil
        }
    }
}
