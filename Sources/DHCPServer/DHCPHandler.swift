import BootTimeline
import Capture
import DHCP
import Foundation
import Inventory
import Logging
import NetworkSupport
import NIOConcurrencyHelpers
import NIOCore

/// Decodes, decides, journals, delivers. Lives on one event loop, which owns the lease table.
final class DHCPHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let responder: NIOLockedValueBox<Responder>
    private let journal: LeaseJournal
    private var leases: LeaseTable
    private let serverAddress: IPv4Address
    private let interface: InterfaceInfo
    private let raw: LockedSender?
    private let counters: DHCPCounters
    private let timeline: BootTimeline
    private let logger: Logger
    private var unknownLog = UnknownClientLog()

    init(responder: NIOLockedValueBox<Responder>, journal: LeaseJournal, leases: LeaseTable, serverAddress: IPv4Address,
         interface: InterfaceInfo, raw: LockedSender?, counters: DHCPCounters, timeline: BootTimeline, logger: Logger) {
        self.responder = responder
        self.journal = journal
        self.leases = leases
        self.serverAddress = serverAddress
        self.interface = interface
        self.raw = raw
        self.counters = counters
        self.timeline = timeline
        self.logger = logger
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
        let time = Date().timeIntervalSince1970
        let now = Int64(time)
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
            if let update = decision.durableUpdate {
                journal.commit(update) { [counters] ok in if !ok { counters.journalFailed() } }
            }
            return
        }
        let replyType = reply.options.messageType ?? .ack
        let payload = reply.encoded(maximumSize: Self.maximumSize(for: request))
        let level: Logger.Level = decision.node == nil ? .debug : .info
        logger.log(level: level, "\(type) from \(who) → \(replyType) \(reply.yiaddr) via \(delivery)")
        guard let update = decision.durableUpdate else {
            deliver(payload, delivery: delivery, channel: context.channel)
            context.channel.flush()
            counters.sent(replyType)
            if let client {
                timeline.record(DHCPBootEvents.reply(reply, type: replyType, delivery: delivery, time: time),
                                client: client, mac: nil)
            }
            return
        }
        // No ACK leaves before its lease is on disk; the journal's thread hands the send back to the event loop.
        // (Replies go out one by one: batching them overflowed perfdhcp's socket in the benchmark.)
        let channel = context.channel
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        journal.commit(update) { [counters, logger, timeline] ok in
            guard ok else {
                counters.journalFailed()
                logger.error("lease journal write failed; \(replyType) to \(who) not sent")
                return
            }
            channel.eventLoop.execute {
                let handler = loopBound.value
                handler.deliver(payload, delivery: delivery, channel: channel)
                channel.flush()
                handler.counters.sent(replyType)
            }
            if let client {
                let event = DHCPBootEvents.reply(reply, type: replyType, delivery: delivery,
                                                 time: Date().timeIntervalSince1970)
                timeline.record(event, client: client, mac: nil, address: replyType == .ack ? "\(reply.yiaddr)" : nil)
            }
        }
    }

    private func note(ignored reason: IgnoreReason, type: String, who: ClientLabel, request: DHCPMessage, now: Int64) {
        counters.ignored(reason)
        switch reason {
        case .unknownClientWithoutPool, .poolExhausted, .noNetworkForRequest, .wrongSegment:
            if let mac = request.clientMAC, unknownLog.shouldLog(mac, now: now) {
                logger.notice("\(type) from \(who) not answered: \(reason)")
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

/// How log lines name a client: its node, else its MAC.
struct ClientLabel: CustomStringConvertible, Sendable {
    let node: String?
    let mac: MACAddress?

    var description: String { node ?? mac.map { "\($0)" } ?? "?" }
}
