import BootTimeline
import Diagnostics
import Foundation
import Leases

/// The control socket's protocol: one request line in, one JSON document out, then the server closes.
///
/// Requests: `status` (every client), `status NAME` (one node, by name, MAC or IP address), and
/// `power {JSON}` (a `PowerRecord`: BMC actions `netroot power` / `netroot boot` took, for the boot timeline).
public enum ControlProtocol {
    /// The socket's file name under `server.state_dir`.
    public static let socketName = "control.sock"

    /// What `status` answers.
    public struct StatusReply: Codable, Sendable {
        /// The server's clock, so the client can say "5 s ago" without trusting its own.
        public var now: Double
        public var startedAt: Double
        public var clients: [ClientTimeline]
        /// Other DHCP servers seen on the provisioning interface.
        public var rogueServers: [RogueServer] = []
        /// Set while lease journal writes fail (a full disk): no lease is acknowledged meanwhile.
        public var leaseJournal: JournalFailure?
        /// The lease store: its backend, whether its database is reachable, the appliances sharing it.
        public var leaseStore: LeaseStoreHealth?
        /// Set when the request could not be answered (unknown command, unknown node).
        public var error: String?

        public init(now: Double, startedAt: Double, clients: [ClientTimeline], rogueServers: [RogueServer] = [],
                    leaseJournal: JournalFailure? = nil, leaseStore: LeaseStoreHealth? = nil, error: String? = nil) {
            self.now = now
            self.startedAt = startedAt
            self.clients = clients
            self.rogueServers = rogueServers
            self.leaseJournal = leaseJournal
            self.leaseStore = leaseStore
            self.error = error
        }
    }

    /// BMC actions on one node, sent by `netroot power` and `netroot boot` for its boot timeline.
    public struct PowerRecord: Codable, Sendable {
        public var node: String
        public var mac: String?
        public var events: [BootEvent]

        public init(node: String, mac: String?, events: [BootEvent]) {
            self.node = node
            self.mac = mac
            self.events = events
        }
    }

    /// Lease journal writes failing: since when (Unix seconds), why, and how many failed since the server started.
    public struct JournalFailure: Codable, Sendable {
        public var since: Double
        public var error: String
        public var failedWrites: Int

        public init(since: Double, error: String, failedWrites: Int) {
            self.since = since
            self.error = error
            self.failedWrites = failedWrites
        }
    }
}
