import BootConfig
import BootTimeline
import CSyscalls
import Foundation
import Inventory
import Logging
import NIOConcurrencyHelpers
import Snapshot
import Support
import TFTP
import Testing
@testable import TFTPServer

/// Port 69's request handling over real loopback sockets: what each request is answered with, from which port.
final class RequestHarness: @unchecked Sendable {
    static let loopback = UInt32(0x7F00_0001)
    let root: String
    let listener: Int32
    let counters = TFTPCounters()
    let timeline = BootTimeline()
    let processor: RequestProcessor
    let loops: TransferLoops
    let transfers: ActiveTransfers
    /// The port refusals come from (network byte order): port 69's socket, not a transfer's.
    let listenerPort: UInt16
    private var clients: [Int32] = []

    init(limits: TransferLimits = TransferLimits(), cache: Bool = true, logger: Logger = Logger(label: "test"),
         throttle: LogThrottle<String> = TFTPService.makeLogThrottle()) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("nr-requests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let listener = netroot_transfer_socket(Self.loopback.bigEndian)
        try #require(listener >= 0)
        self.listener = listener
        let directory = cache ? try RootDirectory(path: root)
                              : try RootDirectory(path: root, cacheFileLimit: 0, cacheCapacity: 0, inlineReadLimit: 0)
        let yaml = "server: {interface: lo}\nnetworks:\n  lan: {subnet: 127.0.0.0/8}\n"
        let inventory = try #require(InventoryLoader.parse(text: yaml, file: "nodes.yaml", baseDirectory: root,
                                                           fileExists: { _ in true }).inventory)
        var configuration = TFTPService.Configuration(interface: "lo", address: IPv4Address(Self.loopback), root: root)
        configuration.limits = limits
        loops = try TransferLoops(count: 1)
        transfers = ActiveTransfers(limits: limits)
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        listenerPort = address.sin_port
        processor = RequestProcessor(listener: listener,
                                     files: ServingFiles(root: directory, snapshots: SnapshotPublisher(inventory)),
                                     configuration: configuration, transfers: transfers,
                                     spares: SpareSockets(address: IPv4Address(Self.loopback)), loops: loops,
                                     counters: counters, timeline: timeline, logger: logger, throttle: throttle)
    }

    deinit {
        loops.endAll()
        for client in clients { close(client) }
        close(listener)
        try? FileManager.default.removeItem(atPath: root)
    }

    func write(_ name: String, _ bytes: [UInt8]) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: root + "/" + name))
    }

    /// A client socket on loopback and its port (network byte order).
    func client() throws -> (descriptor: Int32, port: UInt16) {
        let descriptor = netroot_transfer_socket(Self.loopback.bigEndian)
        try #require(descriptor >= 0)
        clients.append(descriptor)
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return (descriptor, address.sin_port)
    }

    /// Hands `packet` to port 69's handler as if `client` had sent it.
    func request(_ packet: TFTPPacket, from client: (descriptor: Int32, port: UInt16)) {
        processor.handle(ArraySlice(packet.encoded), address: Self.loopback.bigEndian, port: client.port)
    }

    /// The next packet `client` receives within `timeout`, with the port it came from; nil when none.
    func receive(on client: (descriptor: Int32, port: UInt16),
                 timeout: Int32 = 2000) -> (packet: TFTPPacket, port: UInt16)? {
        var watched = pollfd(fd: client.descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&watched, 1, timeout) > 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 70_000)
        var address: UInt32 = 0, port: UInt16 = 0
        let count = netroot_receive_from(client.descriptor, &buffer, UInt(buffer.count), &address, &port)
        guard count >= 0, let packet = try? TFTPPacket(parsing: buffer[0..<count]) else { return nil }
        return (packet, port)
    }

    /// Sends `packet` from `client` to a transfer's port.
    func send(_ packet: TFTPPacket, from client: (descriptor: Int32, port: UInt16), to port: UInt16) {
        let bytes = packet.encoded
        _ = bytes.withUnsafeBytes {
            netroot_send_datagrams(client.descriptor, $0.baseAddress, UInt($0.count), Self.loopback.bigEndian, port, 0)
        }
    }
}

@Suite(.serialized) struct RequestProcessorTests {
    static func rrq(_ name: String, mode: String = "octet", _ options: [TFTPOption] = []) -> TFTPPacket {
        .readRequest(filename: name, mode: mode, options: options)
    }

    static func errorCode(_ packet: TFTPPacket?) -> UInt16? {
        if case .error(let code, _)? = packet { return code }
        return nil
    }

    @Test func refusalsCarryTheirRFCCodes() throws {
        let harness = try RequestHarness()
        try harness.write("pxelinux.0", [1, 2, 3])
        let cases: [(TFTPPacket, TFTPErrorCode)] = [
            (Self.rrq("missing.img"), .fileNotFound),
            (Self.rrq("../etc/passwd"), .accessViolation),
            (.writeRequest(filename: "pxelinux.0", mode: "octet"), .accessViolation),
            (Self.rrq("pxelinux.0", mode: "mail"), .illegalOperation),
            (Self.rrq("pxelinux.0", [TFTPOption("blksize", "4")]), .optionNegotiationRefused),
            (.acknowledgment(block: 1), .illegalOperation),
        ]
        for (request, code) in cases {
            let client = try harness.client()
            harness.request(request, from: client)
            let answer = harness.receive(on: client)
            #expect(Self.errorCode(answer?.packet) == code.rawValue, "\(request)")
            #expect(answer?.port == harness.listenerPort)
        }
        #expect(harness.transfers.count == 0, "a refused request left its claim behind")
    }

    @Test func aRetransmittedRequestIsNotASecondTransfer() throws {
        let harness = try RequestHarness()
        try harness.write("pxelinux.0", Array(repeating: 7, count: 1000))
        let client = try harness.client()
        harness.request(Self.rrq("pxelinux.0"), from: client)
        harness.request(Self.rrq("pxelinux.0"), from: client)
        let first = try #require(harness.receive(on: client))
        #expect(first.packet == .data(block: 1, payload: ArraySlice(repeating: 7, count: 512)))
        // Within the 1 s retransmit timeout, nothing else arrives: one transfer, one DATA 1.
        #expect(harness.receive(on: client, timeout: 300) == nil)
        harness.send(.acknowledgment(block: 1), from: client, to: first.port)
        #expect(harness.receive(on: client)?.packet == .data(block: 2, payload: ArraySlice(repeating: 7, count: 488)))
        harness.send(.acknowledgment(block: 2), from: client, to: first.port)
        #expect(harness.counters.snapshot.requests == 2)
    }

    /// A file cut short while a node reads it ends with an ERROR: never a short DATA the client takes for the end.
    @Test func aFileShortenedDuringTheTransferEndsItWithAnError() throws {
        let harness = try RequestHarness(cache: false)
        try harness.write("initrd.img", Array(repeating: 9, count: 8 * 512))
        let client = try harness.client()
        harness.request(Self.rrq("initrd.img"), from: client)
        let first = try #require(harness.receive(on: client))
        #expect(first.packet == .data(block: 1, payload: ArraySlice(repeating: 9, count: 512)))
        truncate(harness.root + "/initrd.img", 700)
        harness.send(.acknowledgment(block: 1), from: client, to: first.port)
        let next = harness.receive(on: client)
        #expect(Self.errorCode(next?.packet) == TFTPErrorCode.notDefined.rawValue, "got \(String(describing: next?.packet))")
        // The ERROR leaves before the transfer's thread counts the outcome and records it in the timeline.
        func recorded() -> Bool {
            harness.counters.snapshot.failed > 0 && harness.timeline.snapshot().first?.events.last?.outcome == .failed
        }
        for _ in 0..<200 where !recorded() { usleep(10_000) }
        #expect(harness.counters.snapshot.failed == 1)
        #expect(harness.counters.snapshot.completed == 0)
        let step = harness.timeline.snapshot().first?.events.last
        #expect(step?.outcome == .failed)
        #expect(step.map(BootEventText.detail)?.contains("shortened") == true)
        guard case .readFailed(let why)? = step?.file?.status else {
            Issue.record("not a read failure: \(String(describing: step))")
            return
        }
        #expect(why.contains("shortened"))
    }

    @Test func transfersBeyondTheLimitsAreRefusedAsBusy() throws {
        let harness = try RequestHarness(limits: TransferLimits(total: 3, perClient: 2))
        try harness.write("pxelinux.0", Array(repeating: 1, count: 2000))
        var started: [(descriptor: Int32, port: UInt16)] = []
        for _ in 0..<2 {
            let client = try harness.client()
            harness.request(Self.rrq("pxelinux.0"), from: client)
            guard case .data? = harness.receive(on: client)?.packet else {
                Issue.record("a transfer within the limit did not start")
                return
            }
            started.append(client)
        }
        let third = try harness.client()
        harness.request(Self.rrq("pxelinux.0"), from: third)
        #expect(Self.errorCode(harness.receive(on: third)?.packet) == TFTPErrorCode.notDefined.rawValue)
        #expect(harness.counters.snapshot.refused["busy"] == 1)
    }

    /// A large netascii request is converted off the port 69 thread: an octet request right after it is answered
    /// at once.
    @Test func aLargeNetasciiRequestDoesNotHoldUpOthers() throws {
        let harness = try RequestHarness()
        try harness.write("big.txt", [UInt8](repeating: 10, count: 64 << 20))
        try harness.write("pxelinux.0", [1, 2, 3])
        let big = try harness.client(), small = try harness.client()
        let started = ContinuousClock.now
        harness.request(Self.rrq("big.txt", mode: "netascii"), from: big)
        harness.request(Self.rrq("pxelinux.0"), from: small)
        let answered = ContinuousClock.now - started
        #expect(harness.receive(on: small)?.packet == .data(block: 1, payload: [1, 2, 3][...]))
        #expect(answered < .milliseconds(100), "the small request waited \(answered)")
        let first = try #require(harness.receive(on: big, timeout: 20_000))
        let expected: [UInt8] = (0..<512).map { $0 % 2 == 0 ? 13 : 10 }
        #expect(first.packet == .data(block: 1, payload: expected[...]))
    }
}
