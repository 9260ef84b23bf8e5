import BootTimeline
import DHCP
import Inventory
import Logging
import NIOCore
import Support
import Values

/// The one place the DHCP path reports to: counters, boot timeline and log lines, fed from decisions, replies
/// that leave and journal writes. The handler only decides, writes, commits and sends.
///
/// Used from the DHCP event loop only.
final class DecisionObserver {
    private let counters: DHCPCounters
    private let timeline: BootTimeline
    private let logger: Logger
    /// Per-packet lines by kind ("dhcp not answered: unknown client", …): 10 per 10 s each, then a count.
    let throttle: LogThrottle<String>
    /// An unknown client's line once a minute: a machine that retries is not a line per DISCOVER.
    let clientThrottle: LogThrottle<MACAddress>
    /// Replies, per client: a boot's handful are all logged, a client (or a spoofed MAC) asking in a loop is not.
    let replyThrottle: LogThrottle<String>
    /// Failed lease store writes: the first of each 20 s, then a count.
    let journalThrottle: LogThrottle<String>
    private let clock: MonotonicClock
    private var journalHealth = JournalHealth()
    /// How log lines name the store: "lease journal", or "lease database" when appliances share one.
    private let store: String

    init(counters: DHCPCounters, timeline: BootTimeline, logger: Logger, store: String = "lease journal",
         clock: MonotonicClock = .continuous) {
        self.counters = counters
        self.timeline = timeline
        self.logger = logger
        self.store = store
        self.clock = clock
        throttle = LogThrottle(.init(limit: 10, interval: .seconds(10), capacity: 64), clock: clock)
        clientThrottle = LogThrottle(.init(limit: 1, interval: .seconds(60), capacity: 4_096), clock: clock)
        replyThrottle = LogThrottle(.init(limit: 10, interval: .seconds(10), capacity: 4_096), clock: clock)
        journalThrottle = LogThrottle(.init(limit: 1, interval: .seconds(20), capacity: 1), clock: clock)
    }

    /// A packet arrived; the "N more suppressed" lines that are due leave with it.
    func received() {
        counters.received()
        throttle.flush(to: logger)
        replyThrottle.flush(to: logger)
        journalThrottle.flush(to: logger)
    }

    func malformed(_ error: DHCPDecodeError, from sender: SocketAddress) {
        counters.malformed(error)
        throttle.log(.debug, "malformed DHCP packet dropped: \(error)", key: "dhcp malformed packet",
                     metadata: ["from": "\(sender)"], to: logger)
    }

    /// What the responder decided for `request`; a reply is reported again when it leaves (`sent`).
    func decided(_ decision: Decision, for request: DHCPMessage, time: Double) {
        guard let type = decision.requestType, let mac = request.clientMAC else {
            if let reason = decision.ignored { counters.ignored(reason) }
            return
        }
        counters.request(type)
        if case .reply(let reply) = decision, let advice = reply.missingLoader,
           case .log = clientThrottle.admit(mac, now: clock.now()) {
            // Once a minute per node: firmware retries its DISCOVER for as long as it is left on.
            throttle.log(.warning, "\(ClientLabel(node: reply.node, mac: mac)) was offered no boot loader: \(advice)",
                         key: "dhcp no boot loader", to: logger)
        }
        let client = DHCPBootEvents.client(node: decision.node, mac: mac)
        let known = decision.node != nil
        timeline.record(DHCPBootEvents.request(request, type: type, time: time), client: client, known: known,
                        mac: "\(mac)")
        guard case .silent(let silence) = decision else { return }
        counters.ignored(silence.reason)
        let who = ClientLabel(node: silence.node, mac: mac)
        if let kind = Self.unknownClientKind(silence.reason) {
            // Once a minute per MAC, and each kind at most 10 times per 10 s in all: a flood of random MACs
            // writes a bounded log.
            if case .log(let before) = clientThrottle.admit(mac, now: clock.now()) {
                let earlier = before > 0 ? " (\(before) more from it since its last line)" : ""
                throttle.log(.notice, "\(type) from \(who) not answered: \(silence.reason)\(earlier)",
                             key: kind, to: logger)
            }
        } else if logger.logLevel <= .debug {
            throttle.log(.debug, "\(type) from \(who) not answered: \(silence.reason)",
                         key: "dhcp not answered: \(silence.reason)", to: logger)
        }
        if let event = DHCPBootEvents.unanswered(type, reason: silence.reason, time: time) {
            timeline.record(event, client: client, known: known, mac: nil)
        }
    }

    /// A reply left. Logged here, as it leaves: an ACK withheld by a failed journal write is never logged as sent.
    func sent(_ reply: Decision.Reply, to mac: MACAddress?, time: Double) {
        let who = ClientLabel(node: reply.node, mac: mac)
        let level: Logger.Level = reply.node == nil ? .debug : .info
        if logger.logLevel <= level {
            // The bootfile is what an administrator checks first when firmware takes the wrong path.
            let bootfile = reply.message.fileName
            let loader = bootfile.isEmpty ? "" : ", bootfile \(UntrustedText.escape(bootfile, limit: 160))"
            replyThrottle.log(level,
                              "\(reply.requestType) from \(who) → \(reply.type) \(reply.message.yiaddr) via \(reply.delivery)\(loader)",
                              key: "dhcp replies to \(who)", to: logger)
        }
        counters.sent(reply.type)
        guard let mac else { return }
        // The timeline learns a client's address only from an ACK of a journaled lease.
        let leased = reply.type == .ack && reply.leaseChange != nil
        timeline.record(DHCPBootEvents.reply(reply.message, type: reply.type, delivery: reply.delivery, time: time),
                        client: DHCPBootEvents.client(node: reply.node, mac: mac), known: reply.node != nil, mac: nil,
                        address: leased ? "\(reply.message.yiaddr)" : nil)
    }

    /// A reply decided (and its request counted) that does not leave after all: the lease store refused its
    /// binding. Counted and shown as unanswered, for `reason`.
    func withdrawn(_ reply: Decision.Reply, reason: IgnoreReason, to mac: MACAddress?, time: Double) {
        counters.ignored(reason)
        if logger.logLevel <= .debug {
            throttle.log(.debug, "\(reply.requestType) from \(ClientLabel(node: reply.node, mac: mac)) not answered: \(reason)",
                         key: "dhcp not answered: \(reason)", to: logger)
        }
        guard let mac, let event = DHCPBootEvents.unanswered(reply.requestType, reason: reason, time: time) else {
            return
        }
        timeline.record(event, client: DHCPBootEvents.client(node: reply.node, mac: mac), known: reply.node != nil,
                        mac: nil)
    }

    /// A batch's journal write failed: its `withheld` replies do not leave. `time` (Unix seconds) is shown as
    /// the spell's start.
    func journalFailed(_ reason: String, withheld: Int, time: Double) {
        journalHealth.failed(reason, at: time, now: clock.now())
        counters.journalFailed(reason, since: journalHealth.failingSince)
        journalThrottle.log(.error, """
            \(store) write failed, \(withheld) ACK(s) withheld; no lease is acknowledged \
            until writes succeed again: \(reason)
            """, key: "\(store) write failed", to: logger)
    }

    func journalWritten(time: Double) {
        guard let recovery = journalHealth.succeeded(now: clock.now()) else { return }
        counters.journalRecovered()
        journalThrottle.flush(to: logger, all: true)
        logger.notice("\(store) writable again after \(recovery.failures) failed write(s) in \(recovery.seconds) s")
    }

    func rawFrameFailed(to mac: MACAddress) {
        throttle.log(.warning, "raw frame to \(mac) failed; broadcasting instead", key: "dhcp raw frame failed",
                     to: logger)
    }

    /// The throttle key of an unknown-client reason; nil for the other reasons.
    static func unknownClientKind(_ reason: IgnoreReason) -> String? {
        switch reason {
        case .unknownClientWithoutPool: "dhcp not answered: unknown client without a pool"
        case .poolExhausted: "dhcp not answered: pool exhausted"
        case .noNetworkForRequest: "dhcp not answered: no network for the request"
        case .wrongSegment: "dhcp not answered: wrong segment"
        default: nil
        }
    }
}

/// How log lines name a client: its node, else its MAC.
struct ClientLabel: CustomStringConvertible, Sendable {
    let node: String?
    let mac: MACAddress?

    var description: String { node ?? mac.map { "\($0)" } ?? "?" }
}
