import BootTimeline
import DHCP
import Inventory
import Logging
import NIOCore

/// The one place the DHCP path reports to: counters, boot timeline and log lines, fed from decisions, replies
/// that leave and journal writes. The handler only decides, writes, commits and sends.
///
/// Used from the DHCP event loop only.
final class DecisionObserver {
    private let counters: DHCPCounters
    private let timeline: BootTimeline
    private let logger: Logger
    private var unknownLog = UnknownClientLog()
    private var journalHealth = JournalHealth()
    /// How log lines name the store: "lease journal", or "lease database" when appliances share one.
    private let store: String

    init(counters: DHCPCounters, timeline: BootTimeline, logger: Logger, store: String = "lease journal") {
        self.counters = counters
        self.timeline = timeline
        self.logger = logger
        self.store = store
    }

    func received() { counters.received() }

    func malformed(_ error: DHCPDecodeError, from sender: SocketAddress) {
        counters.malformed(error)
        logger.debug("malformed DHCP packet dropped: \(error)", metadata: ["from": "\(sender)"])
    }

    /// What the responder decided for `request`; a reply is reported again when it leaves (`sent`).
    func decided(_ decision: Decision, for request: DHCPMessage, time: Double) {
        guard let type = decision.requestType, let mac = request.clientMAC else {
            if let reason = decision.ignored { counters.ignored(reason) }
            return
        }
        counters.request(type)
        let client = DHCPBootEvents.client(node: decision.node, mac: mac)
        timeline.record(DHCPBootEvents.request(request, type: type, time: time), client: client, mac: "\(mac)")
        guard case .silent(let silence) = decision else { return }
        counters.ignored(silence.reason)
        let who = ClientLabel(node: silence.node, mac: mac)
        switch silence.reason {
        case .unknownClientWithoutPool, .poolExhausted, .noNetworkForRequest, .wrongSegment:
            let verdict = unknownLog.shouldLog(mac, now: Int64(time))
            if let summary = verdict.summary { logger.notice("\(summary)") }
            if verdict.log { logger.notice("\(type) from \(who) not answered: \(silence.reason)") }
        default:
            logger.debug("\(type) from \(who) not answered: \(silence.reason)")
        }
        timeline.record(DHCPBootEvents.unanswered(type, reason: silence.reason, time: time), client: client, mac: nil)
    }

    /// A reply left. Logged here, as it leaves: an ACK withheld by a failed journal write is never logged as sent.
    func sent(_ reply: Decision.Reply, to mac: MACAddress?, time: Double) {
        let who = ClientLabel(node: reply.node, mac: mac)
        logger.log(level: reply.node == nil ? .debug : .info,
                   "\(reply.requestType) from \(who) → \(reply.type) \(reply.message.yiaddr) via \(reply.delivery)")
        counters.sent(reply.type)
        guard let mac else { return }
        // The timeline learns a client's address only from an ACK of a journaled lease.
        let leased = reply.type == .ack && reply.leaseChange != nil
        timeline.record(DHCPBootEvents.reply(reply.message, type: reply.type, delivery: reply.delivery, time: time),
                        client: DHCPBootEvents.client(node: reply.node, mac: mac), mac: nil,
                        address: leased ? "\(reply.message.yiaddr)" : nil)
    }

    /// A reply decided (and its request counted) that does not leave after all: the lease store refused its
    /// binding. Counted and shown as unanswered, for `reason`.
    func withdrawn(_ reply: Decision.Reply, reason: IgnoreReason, to mac: MACAddress?, time: Double) {
        counters.ignored(reason)
        logger.debug("\(reply.requestType) from \(ClientLabel(node: reply.node, mac: mac)) not answered: \(reason)")
        guard let mac else { return }
        timeline.record(DHCPBootEvents.unanswered(reply.requestType, reason: reason, time: time),
                        client: DHCPBootEvents.client(node: reply.node, mac: mac), mac: nil)
    }

    /// A batch's journal write failed: its `withheld` replies do not leave.
    func journalFailed(_ reason: String, withheld: Int, time: Double) {
        let report = journalHealth.failed(reason, at: time)
        counters.journalFailed(reason, since: journalHealth.failingSince)
        if let report { log(report, withheld: withheld) }
    }

    func journalWritten(time: Double) {
        guard let report = journalHealth.succeeded(at: time) else { return }
        counters.journalRecovered()
        log(report, withheld: 0)
    }

    func rawFrameFailed(to mac: MACAddress) {
        logger.warning("raw frame to \(mac) failed; broadcasting instead")
    }

    private func log(_ report: JournalHealth.Report, withheld: Int) {
        switch report {
        case .firstFailure(let reason):
            logger.error("""
                \(store) write failed, \(withheld) ACK(s) withheld; no lease is acknowledged \
                until writes succeed again: \(reason)
                """)
        case .moreFailures(let count, let seconds, let reason):
            logger.error("\(count) more \(store) writes failed in the last \(seconds) s: \(reason)")
        case .recovered(let failures, let seconds):
            logger.notice("\(store) writable again after \(failures) failed write(s) in \(seconds) s")
        }
    }
}

/// How log lines name a client: its node, else its MAC.
struct ClientLabel: CustomStringConvertible, Sendable {
    let node: String?
    let mac: MACAddress?

    var description: String { node ?? mac.map { "\($0)" } ?? "?" }
}
