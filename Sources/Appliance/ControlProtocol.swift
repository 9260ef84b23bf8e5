import BootTimeline
import DHCPServer
import Diagnostics
import DHCP
import Foundation
import Inventory
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
    }

    /// Names the appliance that granted each client's lease (this one's own bindings carry no name).
    static func stampGrants(_ reply: inout StatusReply, leases: LeaseTable, health: LeaseStoreHealth) {
        let this = health.appliances.first(where: \.this)?.name
        for index in reply.clients.indices {
            guard let text = reply.clients[index].mac, let mac = MACAddress(text),
                  let lease = leases.lease(for: mac), lease.state == .bound else { continue }
            reply.clients[index].grantedBy = lease.grantedBy ?? this
        }
    }

    /// The journal's failure from the DHCP counters, nil while writes succeed.
    static func journalFailure(_ counters: DHCPCounters.Snapshot) -> JournalFailure? {
        guard let since = counters.journalFailingSince else { return nil }
        return JournalFailure(since: since, error: counters.journalError ?? "unknown error",
                              failedWrites: counters.journalFailures)
    }

    /// The reply to one request line. Pure but for reading the timeline it is handed.
    static func answer(_ line: String, timeline: BootTimeline, startedAt: Double, now: Double) -> StatusReply {
        let words = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        var reply = StatusReply(now: now, startedAt: startedAt, clients: [], error: nil)
        switch words.first {
        case "status" where words.count == 1:
            reply.clients = timeline.snapshot()
        case "power" where words.count >= 2:
            let json = line.drop { $0 != "{" }
            guard let record = try? JSONDecoder().decode(PowerRecord.self, from: Data(json.utf8)),
                  record.events.count <= 16, record.node.count <= 256 else {
                reply.error = "unreadable power record"
                break
            }
            timeline.recordPower(record.events, client: record.node, mac: record.mac?.lowercased())
        case "status" where words.count == 2:
            if let found = timeline.timeline(of: words[1]) {
                reply.clients = [found]
            } else {
                reply.error = "no boot steps seen from '\(words[1])' since the server started"
            }
        default:
            reply.error = "unknown request '\(line.prefix(64))'; expected 'status' or 'status NODE'"
        }
        return reply
    }

    static func encode(_ reply: StatusReply) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Array((try? encoder.encode(reply)) ?? Data("{}".utf8))
    }
}
