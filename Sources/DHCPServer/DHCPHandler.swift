import BootTimeline
import Capture
import DHCP
import Foundation
import Inventory
import Logging
import NetworkSupport
import NIOConcurrencyHelpers
import NIOCore

/// Decodes, decides, journals, then commits and delivers. Lives on one event loop, which owns the lease table.
///
/// Decide, write, commit: the responder only holds addresses in the table (offers, quarantine); the bindings and
/// releases it decides reach the table after the read batch's journal write succeeded, so memory never holds a
/// binding the disk lacks.
final class DHCPHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let responder: NIOLockedValueBox<Responder>
    private let journal: any LeaseStore
    /// The live table; internal so tests can see what a failed write left.
    private(set) var leases: LeaseTable
    private let serverAddress: IPv4Address
    private let interface: InterfaceInfo
    private let raw: RawFrameSender?
    private let counters: DHCPCounters
    private let timeline: BootTimeline
    private let logger: Logger
    /// Unix seconds; tests move it.
    private let clock: @Sendable () -> Double
    private var unknownLog = UnknownClientLog()
    /// What the current read batch decided: lease updates to journal, and the replies that wait for them.
    private var batch = (updates: [LeaseUpdate](), replies: [HeldReply]())
    private var journalHealth = JournalHealth()
    /// Expired offer holds and quarantine entries are dropped at most once a second.
    private var lastPrune: Int64 = 0

    init(responder: NIOLockedValueBox<Responder>, journal: any LeaseStore, leases: LeaseTable, serverAddress: IPv4Address,
         interface: InterfaceInfo, raw: RawFrameSender?, counters: DHCPCounters, timeline: BootTimeline, logger: Logger,
         clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.responder = responder
        self.journal = journal
        self.leases = leases
        self.serverAddress = serverAddress
        self.interface = interface
        self.raw = raw
        self.counters = counters
        self.timeline = timeline
        self.logger = logger
        self.clock = clock
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        counters.received()
        let request: DHCPMessage
        do {
            request = try DHCPMessage(decoding: envelope.data.readableBytesView)
        } catch {
            counters.malformed(error)
            logger.debug("malformed DHCP packet dropped: \(error)", metadata: ["from": "\(envelope.remoteAddress)"])
            return
        }
        let time = clock()
        let now = Int64(time)
        if now != lastPrune {
            leases.prune(now: now)
            lastPrune = now
        }
        let snapshot = responder.withLockedValue { $0 }
        let decision = snapshot.respond(to: request, context: RequestContext(serverAddress: serverAddress, now: now),
                                        leases: &leases)
        // Formatted only when a log line is actually written.
        let who = ClientLabel(node: decision.node, mac: request.clientMAC)
        let type = decision.requestType.map { "\($0)" } ?? "?"
        let mac = request.clientMAC
        let client = mac.map { DHCPBootEvents.client(node: decision.node, mac: $0) }
        if let requestType = decision.requestType { counters.request(requestType) }
        if let client, let requestType = decision.requestType {
            timeline.record(DHCPBootEvents.request(request, type: requestType, time: time), client: client,
                            mac: mac.map { "\($0)" })
        }

        guard let (reply, delivery) = decision.reply else {
            if let reason = decision.ignored {
                note(ignored: reason, type: type, who: who, request: request, now: now)
                if let client {
                    timeline.record(DHCPBootEvents.unanswered(decision.requestType, reason: reason, time: time),
                                    client: client, mac: nil)
                }
            }
            if let update = decision.durableUpdate { batch.updates.append(update) }
            return
        }
        let replyType = reply.options.messageType ?? .ack
        let payload = reply.encoded(maximumSize: Self.maximumSize(for: request))
        let level: Logger.Level = decision.node == nil ? .debug : .info
        let held = HeldReply(payload: payload, delivery: delivery, type: replyType, reply: reply, client: client,
                             leased: decision.durableUpdate != nil && replyType == .ack, logLevel: level,
                             requestType: type, who: who)
        guard let update = decision.durableUpdate else {
            send(held, context: context)
            return
        }
        // No ACK leaves before its lease is on disk: it waits for the batch's one write and fdatasync.
        batch.updates.append(update)
        batch.replies.append(held)
    }

    /// The end of one read batch: its leases go to disk together, then its held replies leave.
    func channelReadComplete(context: ChannelHandlerContext) {
        guard !batch.updates.isEmpty else { return }
        defer {
            batch.updates.removeAll(keepingCapacity: true)
            batch.replies.removeAll(keepingCapacity: true)
        }
        let now = clock()
        do {
            try journal.append(batch.updates)
        } catch {
            // Nothing was committed: the table keeps what the disk has, and no ACK leaves.
            let report = journalHealth.failed(error.description, at: now)
            counters.journalFailed(error.description, since: journalHealth.failingSince)
            if let report { log(report, withheld: batch.replies.count) }
            return
        }
        if let report = journalHealth.succeeded(at: now) {
            counters.journalRecovered()
            log(report, withheld: 0)
        }
        for update in batch.updates { leases.apply(update) }
        for held in batch.replies { send(held, context: context) }
    }

    private func log(_ report: JournalHealth.Report, withheld: Int) {
        switch report {
        case .firstFailure(let reason):
            logger.error("""
                lease journal write failed, \(withheld) ACK(s) withheld; no lease is acknowledged \
                until writes succeed again: \(reason)
                """)
        case .moreFailures(let count, let seconds, let reason):
            logger.error("\(count) more lease journal writes failed in the last \(seconds) s: \(reason)")
        case .recovered(let failures, let seconds):
            logger.notice("lease journal writable again after \(failures) failed write(s) in \(seconds) s")
        }
    }

    /// Sends one reply (flushed on its own: a burst of them overflowed perfdhcp's socket in the benchmark).
    private func send(_ held: HeldReply, context: ChannelHandlerContext) {
        // Logged as it leaves: an ACK withheld by a failed journal write is never logged as sent.
        logger.log(level: held.logLevel,
                   "\(held.requestType) from \(held.who) → \(held.type) \(held.reply.yiaddr) via \(held.delivery)")
        deliver(held.payload, delivery: held.delivery, channel: context.channel)
        context.channel.flush()
        counters.sent(held.type)
        if let client = held.client {
            let event = DHCPBootEvents.reply(held.reply, type: held.type, delivery: held.delivery,
                                             time: clock())
            timeline.record(event, client: client, mac: nil, address: held.leased ? "\(held.reply.yiaddr)" : nil)
        }
    }

    private func note(ignored reason: IgnoreReason, type: String, who: ClientLabel, request: DHCPMessage, now: Int64) {
        counters.ignored(reason)
        switch reason {
        case .unknownClientWithoutPool, .poolExhausted, .noNetworkForRequest, .wrongSegment:
            if let mac = request.clientMAC {
                let verdict = unknownLog.shouldLog(mac, now: now)
                if let summary = verdict.summary { logger.notice("\(summary)") }
                if verdict.log { logger.notice("\(type) from \(who) not answered: \(reason)") }
            }
        default:
            logger.debug("\(type) from \(who) not answered: \(reason)")
        }
    }

    /// Option 57 counts IP and UDP headers (28 bytes); RFC 2131 guarantees 576.
    private static func maximumSize(for request: DHCPMessage) -> Int {
        max(576, Int(request.options.maximumMessageSize ?? 576)) - 28
    }

    /// Writes (without flushing) one reply where RFC 2131 §4.1 says it goes.
    private func deliver(_ payload: [UInt8], delivery: Delivery, channel: Channel) {
        let destination: (String, Int)
        switch delivery {
        case .relay(let relay): destination = ("\(relay)", 67)
        case .unicast(let address): destination = ("\(address)", 68)
        case .broadcast: destination = ("255.255.255.255", 68)
        case .link(let mac, let address):
            if let raw {
                let frame = UDPFrame.build(sourceMAC: interface.mac.bytes, destinationMAC: mac.bytes,
                                           sourceIP: serverAddress.value, destinationIP: address.value,
                                           sourcePort: 67, destinationPort: 68, payload: payload)
                if raw.send(frame) { return }
                logger.warning("raw frame to \(mac) failed; broadcasting instead")
            }
            destination = ("255.255.255.255", 68)
        }
        guard let address = try? SocketAddress(ipAddress: destination.0, port: destination.1) else { return }
        var buffer = channel.allocator.buffer(capacity: payload.count)
        buffer.writeBytes(payload)
        channel.write(AddressedEnvelope(remoteAddress: address, data: buffer), promise: nil)
    }
}

/// A reply decided and encoded, with what its log line and timeline event need.
struct HeldReply {
    let payload: [UInt8]
    let delivery: Delivery
    let type: DHCPMessageType
    let reply: DHCPMessage
    let client: String?
    /// An ACK of a journaled lease: the timeline then learns the client's address.
    let leased: Bool
    let logLevel: Logger.Level
    let requestType: String
    let who: ClientLabel
}

/// How log lines name a client: its node, else its MAC.
struct ClientLabel: CustomStringConvertible, Sendable {
    let node: String?
    let mac: MACAddress?

    var description: String { node ?? mac.map { "\($0)" } ?? "?" }
}
