import BootTimeline
import DHCP
@testable import DHCPServer
import Foundation
import HexFixtures
import Inventory
import Leases
import Logging
@testable import NetworkSupport
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import Snapshot
import Testing

/// The DHCP handler through NIO's EmbeddedChannel with a fake journal: decide, write, then commit and send.
@Suite final class DHCPHandlerTests {
    let events = EventLog()
    let store: FakeStore
    let counters = DHCPCounters()
    let clock = NIOLockedValueBox<Double>(1_800_000_000)
    let handler: DHCPHandler
    let channel: EmbeddedChannel

    static let yaml = """
        server:
          interface: nr0
          address: 192.168.1.200
          bootfile: {bios: pxelinux.0, uefi: efi64/syslinux.efi}
        networks:
          provision:
            subnet: 192.168.1.0/24
            lease_time: 1h
            pool: 192.168.1.100-192.168.1.102
        images:
          rhel6: {kernel: rhel6/vmlinuz, root_path: "nfs:192.168.1.200:/srv/rhel6", cmdline: root=dhcp}
        groups:
          compute: {image: rhel6}
        nodes:
          compute2: {mac: "52:54:00:12:34:56", ip: 192.168.1.12, groups: [compute]}
        """
    static let server = IPv4Address("192.168.1.200")!

    init() throws {
        let parsed = InventoryLoader.parse(text: Self.yaml, file: "nodes.yaml", baseDirectory: "/srv/config",
                                           fileExists: { _ in true })
        let inventory = try #require(parsed.inventory, "\(parsed.diagnostics)")
        store = FakeStore(events: events)
        let interface = InterfaceInfo(name: "nr0", mac: MACAddress("02:00:00:00:02:00")!, addresses: [Self.server],
                                      mtu: 1500)
        let clock = clock
        handler = DHCPHandler(snapshots: SnapshotPublisher(inventory), store: store,
                              leases: LeaseTable(), serverAddress: Self.server, interface: interface, raw: nil,
                              counters: counters, timeline: BootTimeline(), logger: Logger(label: "test"),
                              clock: { clock.withLockedValue { $0 } })
        channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(OutboundRecorder(events: events))
        try channel.pipeline.syncOperations.addHandler(handler)
    }

    /// Closing the channel breaks its cycle with the pipeline (AddressSanitizer's leak check found it).
    deinit { _ = try? channel.finish() }

    // MARK: requests

    /// udhcpc's captured REQUEST (compute2's MAC), selecting our offer.
    func udhcpcRequest() throws -> DHCPMessage {
        var request = try DHCPMessage(decoding: captured("udhcpc-request"))
        request.options.serverIdentifier = Self.server
        request.options.requestedIPAddress = IPv4Address("192.168.1.12")
        return request
    }

    /// dhclient's captured DISCOVER and REQUEST, with a MAC the inventory does not know: a pool client.
    func poolClient(_ mac: String) throws -> (discover: DHCPMessage, request: (IPv4Address) -> DHCPMessage) {
        var discover = try DHCPMessage(decoding: captured("dhclient-discover"))
        discover.chaddr = MACAddress(mac)!.bytes + [UInt8](repeating: 0, count: 10)
        var request = try DHCPMessage(decoding: captured("dhclient-request"))
        request.chaddr = discover.chaddr
        return (discover, { address in
            var copy = request
            copy.options.serverIdentifier = Self.server
            copy.options.requestedIPAddress = address
            return copy
        })
    }

    /// One read batch: every message read, then the read-complete that writes the journal.
    func batch(_ messages: DHCPMessage...) throws {
        for message in messages {
            var buffer = channel.allocator.buffer(capacity: 600)
            buffer.writeBytes(message.encoded(maximumSize: 1500))
            let envelope = AddressedEnvelope(remoteAddress: try SocketAddress(ipAddress: "0.0.0.0", port: 68),
                                             data: buffer)
            channel.pipeline.fireChannelRead(envelope)
        }
        channel.pipeline.fireChannelReadComplete()
    }

    /// The replies that left, decoded.
    func sent() throws -> [DHCPMessage] {
        var replies: [DHCPMessage] = []
        while let envelope = try channel.readOutbound(as: AddressedEnvelope<ByteBuffer>.self) {
            replies.append(try DHCPMessage(decoding: envelope.data.readableBytesView))
        }
        return replies
    }

    // MARK: tests

    @Test func noACKLeavesBeforeTheWriteReturns() throws {
        try batch(try udhcpcRequest())
        #expect(events.entries == ["append 1 ok", "send ACK"])
        #expect(try sent().map(\.options.messageType) == [.ack])
        #expect(handler.leases.lease(for: MACAddress("52:54:00:12:34:56")!)?.state == .bound)
    }

    @Test func aFailedWriteSendsNothingAndChangesNoLease() throws {
        let mac = MACAddress("52:54:00:12:34:56")!
        store.failing = true
        try batch(try udhcpcRequest())
        #expect(events.entries == ["append 1 failed"])
        #expect(try sent().isEmpty)
        #expect(handler.leases.lease(for: mac) == nil, "a binding the journal lacks")
        #expect(counters.snapshot.journalFailures == 1)
        #expect(counters.snapshot.journalError?.contains("No space left on device") == true)

        // A pool client: its offer hold stays (memory only, by design), but it is never bound.
        let client = try poolClient("02:00:00:00:00:01")
        try batch(client.discover)
        let offer = try #require(try sent().first)
        #expect(offer.options.messageType == .offer)
        try batch(client.request(offer.yiaddr))
        #expect(try sent().isEmpty)
        let held = try #require(handler.leases.lease(for: MACAddress("02:00:00:00:00:01")!))
        #expect(held.state == .offered)
        #expect(store.written.isEmpty)

        // Space is back: the same requests are answered, without a restart.
        store.failing = false
        clock.withLockedValue { $0 += 5 }
        events.entries.removeAll()
        try batch(try udhcpcRequest(), client.request(offer.yiaddr))
        #expect(events.entries == ["append 2 ok", "send ACK", "send ACK"])
        #expect(try sent().map(\.yiaddr) == [IPv4Address("192.168.1.12")!, offer.yiaddr])
        #expect(handler.leases.lease(for: mac)?.state == .bound)
        #expect(handler.leases.lease(for: MACAddress("02:00:00:00:00:01")!)?.state == .bound)
        #expect(counters.snapshot.journalFailingSince == nil)
        #expect(counters.snapshot.journalFailures == 2)
    }

    @Test func twoRequestsOfOneClientInOneBatchGetTheSameAnswer() throws {
        let client = try poolClient("02:00:00:00:00:01")
        try batch(client.discover)
        let offer = try #require(try sent().first)
        // A retransmitted REQUEST in the same batch, and another client's DISCOVER: the address is taken.
        let other = try poolClient("02:00:00:00:00:02")
        try batch(client.request(offer.yiaddr), client.request(offer.yiaddr), other.discover)
        let replies = try sent()
        #expect(replies.map(\.options.messageType) == [.offer, .ack, .ack])
        #expect(replies.filter { $0.options.messageType == .ack }.allSatisfy { $0.yiaddr == offer.yiaddr })
        #expect(replies.first?.yiaddr != offer.yiaddr, "the other client is offered another address")
        #expect(store.written.last?.count == 2)
    }

    @Test func aReleaseIsCommittedOnlyOnceWritten() throws {
        let client = try poolClient("02:00:00:00:00:01")
        let mac = MACAddress("02:00:00:00:00:01")!
        try batch(client.discover)
        let offer = try #require(try sent().first)
        try batch(client.request(offer.yiaddr))
        _ = try sent()
        var release = client.request(offer.yiaddr)
        release.options.messageType = .release
        release.options.requestedIPAddress = nil
        release.ciaddr = offer.yiaddr
        store.failing = true
        try batch(release)
        #expect(handler.leases.lease(for: mac)?.state == .bound, "the journal still has the binding")
        store.failing = false
        try batch(release)
        #expect(handler.leases.lease(for: mac) == nil)
    }

    // MARK: a shared lease database

    @Test func aBindingTheDatabaseRefusesIsNAKedAndItsHolderLearned() throws {
        let client = try poolClient("02:00:00:00:00:01")
        try batch(client.discover)
        let offer = try #require(try sent().first)
        // A partner appliance bound the address to another client between our OFFER and the REQUEST.
        let partnerClient = MACAddress("02:00:00:00:00:99")!
        store.refusing = [0: .heldBy(Lease(mac: partnerClient, address: offer.yiaddr, expires: 2_000_000_000,
                                           state: .bound))]
        try batch(client.request(offer.yiaddr))
        let replies = try sent()
        #expect(replies.map(\.options.messageType) == [.nak])
        #expect(handler.leases.lease(for: MACAddress("02:00:00:00:00:01")!) == nil)
        #expect(handler.leases.holder(of: offer.yiaddr, at: 1_800_000_100) == partnerClient)
        // One DISCOVER and one REQUEST arrived: the NAK that replaced the ACK does not count the REQUEST again.
        #expect(counters.snapshot.requests.values.reduce(0, +) == 2, "\(counters.snapshot.requests)")
        // Its next DISCOVER gets another address.
        try batch(client.discover)
        let second = try #require(try sent().first)
        #expect(second.options.messageType == .offer)
        #expect(second.yiaddr != offer.yiaddr)
    }

    @Test func withoutTheDatabaseOnlyKnownNodesAreAnswered() throws {
        store.poolAvailable = false
        let client = try poolClient("02:00:00:00:00:01")
        try batch(client.discover)
        #expect(try sent().isEmpty, "a pool client gets no OFFER")
        #expect(counters.snapshot.ignored["lease_store_unavailable"] == 1)
        try batch(try udhcpcRequest())
        #expect(try sent().map(\.options.messageType) == [.ack], "a known node is answered from the inventory")
        // The database went away between the decision and the commit: the pool ACK is withheld, not sent.
        store.poolAvailable = true
        try batch(client.discover)
        let offer = try #require(try sent().first)
        store.refusing = [0: .storeUnavailable]
        try batch(client.request(offer.yiaddr))
        #expect(try sent().isEmpty)
        #expect(handler.leases.lease(for: MACAddress("02:00:00:00:00:01")!) == nil)
        #expect(counters.snapshot.ignored["lease_store_unavailable"] == 2, "the withheld ACK is counted unanswered")
        #expect(counters.snapshot.requests.values.reduce(0, +) == 4, "each request counted once: \(counters.snapshot.requests)")
    }

    @Test func aPoolClientInAPartnersShareIsLeftToThePartner() throws {
        // Find two clients hashing into different halves of the 256 buckets.
        let balance = LoadBalance(members: ["a", "b"], alive: ["a", "b"], this: "a", maximumSeconds: 3)
        store.loadBalance = balance
        let macs = (1...40).map { MACAddress(bytes: [2, 0, 0, 0, 0, UInt8($0)])! }
        let ours = try #require(macs.first { balance.answers(key: $0.bytes, secs: 0) })
        let theirs = try #require(macs.first { !balance.answers(key: $0.bytes, secs: 0) })
        var mine = try poolClient("\(ours)").discover
        mine.options[OptionCode.clientIdentifier] = nil
        try batch(mine)
        #expect(try sent().map(\.options.messageType) == [.offer])
        var waited = try poolClient("\(theirs)").discover
        waited.options[OptionCode.clientIdentifier] = nil
        try batch(waited)
        #expect(try sent().isEmpty, "the partner answers it")
        #expect(counters.snapshot.ignored["load_balanced"] == 1)
        waited.secs = 4
        try batch(waited)
        #expect(try sent().map(\.options.messageType) == [.offer], "it waited 4 s: anyone answers (RFC 3074 §4)")
        // Known nodes are everyone's.
        try batch(try udhcpcRequest())
        #expect(try sent().map(\.options.messageType) == [.ack])
    }
}

/// What happened, in order: journal writes and replies leaving.
final class EventLog: @unchecked Sendable {
    var entries: [String] = []
}

/// A lease store that writes nothing, fails or refuses on demand, and logs its calls.
final class FakeStore: LeaseStore, @unchecked Sendable {
    let events: EventLog
    var failing = false
    var written: [[LeaseUpdate]] = []
    /// Refusals to return for the next commit, by change index.
    var refusing: [Int: LeaseCommitResult.Refusal] = [:]
    var poolAvailable = true
    var loadBalance: LoadBalance?
    var health: LeaseStoreHealth { LeaseStoreHealth(backend: "fake", location: "memory") }

    init(events: EventLog) { self.events = events }

    func commit(_ changes: [LeaseChange], on loop: any EventLoop) -> EventLoopFuture<LeaseCommitResult> {
        events.entries.append("append \(changes.count) \(failing ? "failed" : "ok")")
        if failing {
            return loop.makeFailedFuture(LeaseStoreError(description: "cannot write leases.journal: No space left on device"))
        }
        written.append(changes.map(\.update))
        defer { refusing = [:] }
        return loop.makeSucceededFuture(LeaseCommitResult(refused: refusing))
    }
}

/// Logs each reply as it is written to the channel.
final class OutboundRecorder: ChannelOutboundHandler, @unchecked Sendable {
    typealias OutboundIn = AddressedEnvelope<ByteBuffer>
    let events: EventLog

    init(events: EventLog) { self.events = events }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let envelope = unwrapOutboundIn(data)
        let type = (try? DHCPMessage(decoding: envelope.data.readableBytesView))?.options.messageType
        events.entries.append("send \(type.map { "\($0)" } ?? "?")")
        context.write(data, promise: promise)
    }
}

/// The bytes a real client sent (Tests/DHCPTests/Captures, recorded by integration/capture/record-clients).
func captured(_ name: String) throws -> [UInt8] {
    try HexFixture.file(URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../DHCPTests/Captures/\(name).hex"))
}
