import BootTimeline
import Capture
import DHCP
import Foundation
import Inventory
import Logging
import NetworkSupport
import NIOConcurrencyHelpers
import NIOCore
import Snapshot

/// Decodes, decides, journals, then commits and delivers. Lives on one event loop, which owns the lease table.
///
/// Decide, write, commit: the responder only holds addresses in the table (offers, quarantine); the bindings and
/// releases it decides reach the table after the read batch's journal write succeeded, so memory never holds a
/// binding the disk lacks.
final class DHCPHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    /// The inventory serving now; read once per request.
    private let snapshots: SnapshotPublisher
    private let journal: any LeaseStore
    /// The live table; internal so tests can see what a failed write left.
    private(set) var leases: LeaseTable
    private let serverAddress: IPv4Address
    private let interface: InterfaceInfo
    private let raw: RawFrameSender?
    private let observer: DecisionObserver
    /// Unix seconds; tests move it.
    private let clock: @Sendable () -> Double
    /// What the current read batch decided: lease updates to journal, and the replies that wait for them.
    private var batch = (updates: [LeaseUpdate](), replies: [HeldReply]())
    /// Expired offer holds and quarantine entries are dropped at most once a second.
    private var lastPrune: Int64 = 0

    init(snapshots: SnapshotPublisher, journal: any LeaseStore, leases: LeaseTable, serverAddress: IPv4Address,
         interface: InterfaceInfo, raw: RawFrameSender?, counters: DHCPCounters, timeline: BootTimeline, logger: Logger,
         clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.snapshots = snapshots
        self.journal = journal
        self.leases = leases
        self.serverAddress = serverAddress
        self.interface = interface
        self.raw = raw
        observer = DecisionObserver(counters: counters, timeline: timeline, logger: logger)
        self.clock = clock
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        observer.received()
        let request: DHCPMessage
        do {
            request = try DHCPMessage(decoding: envelope.data.readableBytesView)
        } catch {
            observer.malformed(error, from: envelope.remoteAddress)
            return
        }
        let time = clock()
        let now = Int64(time)
        if now != lastPrune {
            leases.prune(now: now)
            lastPrune = now
        }
        let snapshot = snapshots.current.responder
        let decision = snapshot.respond(to: request, context: RequestContext(serverAddress: serverAddress, now: now),
                                        leases: &leases)
        observer.decided(decision, for: request, time: time)
        switch decision {
        case .silent(let silence):
            // A RELEASE or DECLINE of a bound lease: written with the batch, applied once written.
            if let change = silence.leaseChange { batch.updates.append(change) }
        case .reply(let reply):
            let held = HeldReply(reply: reply, mac: request.clientMAC,
                                 payload: reply.message.encoded(maximumSize: Self.maximumSize(for: request)))
            guard let change = reply.leaseChange else {
                send(held, context: context)
                return
            }
            // No ACK leaves before its lease is on disk: it waits for the batch's one write and fdatasync.
            batch.updates.append(change)
            batch.replies.append(held)
        }
    }

    /// The end of one read batch: its leases go to disk together, then (commit) into the table, then its held
    /// replies leave.
    func channelReadComplete(context: ChannelHandlerContext) {
        guard !batch.updates.isEmpty else { return }
        defer {
            batch.updates.removeAll(keepingCapacity: true)
            batch.replies.removeAll(keepingCapacity: true)
        }
        do {
            try journal.append(batch.updates)
        } catch {
            // Nothing was committed: the table keeps what the disk has, and no ACK leaves.
            observer.journalFailed(error.description, withheld: batch.replies.count, time: clock())
            return
        }
        observer.journalWritten(time: clock())
        for update in batch.updates { leases.apply(update) }
        for held in batch.replies { send(held, context: context) }
    }

    /// Sends one reply (flushed on its own: a burst of them overflowed perfdhcp's socket in the benchmark).
    private func send(_ held: HeldReply, context: ChannelHandlerContext) {
        deliver(held.payload, delivery: held.reply.delivery, channel: context.channel)
        context.channel.flush()
        observer.sent(held.reply, to: held.mac, time: clock())
    }

    /// Option 57 counts IP and UDP headers (28 bytes); RFC 2131 guarantees 576.
    private static func maximumSize(for request: DHCPMessage) -> Int {
        max(576, Int(request.options.maximumMessageSize ?? 576)) - 28
    }

    private static let broadcast = SocketAddress(ipv4: IPv4Address(0xFFFF_FFFF), port: 68)

    /// Writes (without flushing) one reply where RFC 2131 §4.1 says it goes.
    private func deliver(_ payload: [UInt8], delivery: Delivery, channel: Channel) {
        let destination: SocketAddress
        switch delivery {
        case .relay(let relay): destination = SocketAddress(ipv4: relay, port: 67)
        case .unicast(let address): destination = SocketAddress(ipv4: address, port: 68)
        case .broadcast: destination = Self.broadcast
        case .link(let mac, let address):
            if let raw {
                let frame = UDPFrame.build(sourceMAC: interface.mac.bytes, destinationMAC: mac.bytes,
                                           sourceIP: serverAddress.value, destinationIP: address.value,
                                           sourcePort: 67, destinationPort: 68, payload: payload)
                if raw.send(frame) { return }
                observer.rawFrameFailed(to: mac)
            }
            destination = Self.broadcast
        }
        var buffer = channel.allocator.buffer(capacity: payload.count)
        buffer.writeBytes(payload)
        channel.write(AddressedEnvelope(remoteAddress: destination, data: buffer), promise: nil)
    }
}

/// A reply decided and encoded, waiting for its batch's journal write (or leaving at once).
struct HeldReply {
    let reply: Decision.Reply
    let mac: MACAddress?
    let payload: [UInt8]
}

/// The inventory's address type, named where NIO's own `IPv4Address` would hide it.
typealias InventoryIPv4Address = IPv4Address

extension SocketAddress {
    /// An IPv4 socket address built from its numbers: no text formatted and parsed again per reply.
    init(ipv4 address: InventoryIPv4Address, port: UInt16) {
        var raw = sockaddr_in()
        raw.sin_family = sa_family_t(AF_INET)
        raw.sin_port = port.bigEndian
        raw.sin_addr.s_addr = address.value.bigEndian
        self.init(raw, host: "") // a name is for printing; none is formatted per reply
    }
}
