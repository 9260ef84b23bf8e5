import BootTimeline
import Capture
import DHCP
import Foundation
import Inventory
import Leases
import Logging
import NetworkSupport
import NIOConcurrencyHelpers
import NIOCore
import Snapshot

/// Decodes, decides, stores, then commits and delivers. Lives on one event loop, which owns the lease table.
///
/// Decide, write, commit: the responder only holds addresses in the table (offers, quarantine); the bindings and
/// releases it decides reach the table after the lease store made the read batch's changes durable (the journal's
/// fdatasync, or the shared database's commit), so memory never holds a binding the store lacks.
final class DHCPHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    /// The inventory serving now; read once per request.
    private let snapshots: SnapshotPublisher
    private let store: any LeaseStore
    /// The live table; internal so tests can see what a failed write left.
    private(set) var leases: LeaseTable
    private let serverAddress: IPv4Address
    private let interface: InterfaceInfo
    private let raw: RawFrameSender?
    private let observer: DecisionObserver
    /// Unknown PXE machines are remembered here (memory only on this loop; the file is written elsewhere).
    private let discovery: DiscoveryRecorder?
    /// Unix seconds; tests move it.
    private let clock: @Sendable () -> Double
    /// What the current read batch decided: lease changes to store, and the replies that wait for them.
    private var batch = (changes: [LeaseChange](), replies: [HeldReply]())
    /// Expired offer holds and quarantine entries are dropped at most once a second.
    private var lastPrune: Int64 = 0
    /// A copy of the table for metrics, refreshed at most once a second (a copy per batch would cost a table's
    /// worth of copying per batch).
    let published = NIOLockedValueBox(LeaseTable())

    init(snapshots: SnapshotPublisher, store: any LeaseStore, leases: LeaseTable, serverAddress: IPv4Address,
         interface: InterfaceInfo, raw: RawFrameSender?, counters: DHCPCounters, timeline: BootTimeline, logger: Logger,
         discovery: DiscoveryRecorder? = nil,
         clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.snapshots = snapshots
        self.store = store
        self.leases = leases
        self.serverAddress = serverAddress
        self.interface = interface
        self.raw = raw
        observer = DecisionObserver(counters: counters, timeline: timeline, logger: logger,
                                    store: store.health.backend == "journal" ? "lease journal" : "lease database")
        self.discovery = discovery
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
            let copy = leases
            published.withLockedValue { $0 = copy }
        }
        let responder = snapshots.current.responder
        let requestContext = RequestContext(serverAddress: serverAddress, now: now, pool: poolService(for: request))
        let decision = responder.respond(to: request, context: requestContext, leases: &leases)
        observer.decided(decision, for: request, time: time)
        if let discovery, decision.node == nil {
            let network = DiscoveredMachine.network(of: request, in: snapshots.current.inventory, server: serverAddress)
            if let sighting = DiscoveredMachine.sighting(request, type: decision.requestType, knownNode: nil,
                                                         network: network, time: time) {
                discovery.record(sighting)
            }
        }
        switch decision {
        case .silent(let silence):
            // A RELEASE or DECLINE of a bound lease: stored with the batch, applied once stored.
            if let change = silence.leaseChange { batch.changes.append(LeaseChange(change, node: silence.node)) }
        case .reply(let reply):
            let payload = reply.message.encoded(maximumSize: Self.maximumSize(for: request))
            guard let change = reply.leaseChange else {
                send(HeldReply(reply: reply, request: request, payload: payload, change: nil), context: context)
                return
            }
            // No ACK leaves before its lease is durable: it waits for the batch's one write (or transaction).
            batch.replies.append(HeldReply(reply: reply, request: request, payload: payload, change: batch.changes.count))
            batch.changes.append(LeaseChange(change, node: reply.node))
        }
    }

    /// Rows other appliances wrote to the shared database (and every bound row after a reconnect). Call on the
    /// handler's loop.
    func apply(partnerChanges updates: [LeaseUpdate]) {
        for update in updates { leases.apply(update) }
    }

    /// Whether this appliance answers `request` if it comes from a pool client: the shared database is
    /// reachable, and the client is in this appliance's RFC 3074 share (or has waited long).
    private func poolService(for request: DHCPMessage) -> PoolService {
        guard store.poolAvailable else { return .storeUnavailable }
        guard let balance = store.loadBalance else { return .open }
        let key = request.options[OptionCode.clientIdentifier] ?? Array(request.chaddr.prefix(Int(request.hlen)))
        return balance.answers(key: key, secs: request.secs) ? .open : .otherAppliancesShare
    }

    /// The end of one read batch: its lease changes are stored together, then (commit) applied to the table,
    /// then its held replies leave. The journal answers at once; a database answers later, on this loop.
    func channelReadComplete(context: ChannelHandlerContext) {
        guard !batch.changes.isEmpty else { return }
        let changes = batch.changes
        let replies = batch.replies
        batch.changes.removeAll(keepingCapacity: true)
        batch.replies.removeAll(keepingCapacity: true)
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        store.commit(changes, on: context.eventLoop).whenComplete { [self] result in
            finish(changes, replies, result, context: bound.value)
        }
    }

    private func finish(_ changes: [LeaseChange], _ replies: [HeldReply], _ result: Result<LeaseCommitResult, any Error>,
                        context: ChannelHandlerContext) {
        let outcome: LeaseCommitResult
        switch result {
        case .success(let stored): outcome = stored
        case .failure(let error):
            // Nothing was committed: the table keeps what the store has, and no ACK leaves.
            observer.journalFailed("\(error)", withheld: replies.count, time: clock())
            return
        }
        observer.journalWritten(time: clock())
        for (index, change) in changes.enumerated() where outcome.refused[index] == nil { leases.apply(change.update) }
        for held in replies {
            guard let index = held.change, let refusal = outcome.refused[index] else {
                send(held, context: context)
                continue
            }
            switch refusal {
            case .heldBy(let holder):
                // A partner appliance bound the address first: learn its holder, and NAK so the client starts over.
                if let holder { leases.record(holder) } else if let mac = held.request.clientMAC { leases.remove(mac: mac) }
                let now = RequestContext(serverAddress: serverAddress, now: Int64(clock()))
                // The request was counted when it was decided; the NAK is counted as it leaves.
                if case .reply(let nak) = snapshots.current.responder.addressTaken(held.request, context: now) {
                    let payload = nak.message.encoded(maximumSize: Self.maximumSize(for: held.request))
                    send(HeldReply(reply: nak, request: held.request, payload: payload, change: nil), context: context)
                }
            case .storeUnavailable:
                if let mac = held.request.clientMAC { leases.remove(mac: mac) }
                observer.withdrawn(held.reply, reason: .leaseStoreUnavailable, to: held.request.clientMAC,
                                   time: clock())
            }
        }
    }

    /// Sends one reply (flushed on its own: a burst of them overflowed perfdhcp's socket in the benchmark).
    private func send(_ held: HeldReply, context: ChannelHandlerContext) {
        deliver(held.payload, delivery: held.reply.delivery, channel: context.channel)
        context.channel.flush()
        observer.sent(held.reply, to: held.request.clientMAC, time: clock())
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

/// A reply decided and encoded, waiting for its batch's lease changes to be stored (or leaving at once).
struct HeldReply: Sendable {
    let reply: Decision.Reply
    let request: DHCPMessage
    let payload: [UInt8]
    /// The index of its lease change in the batch.
    let change: Int?
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
