import BootTimeline
import BootConfig
import CSyscalls
import Foundation
import Inventory
import Logging
import NIOConcurrencyHelpers
import NIOCore
import Snapshot
import Support
import Synchronization
import TFTP

/// The TFTP server: requests on port 69 of the serving interface, each transfer on its own ephemeral port.
public final class TFTPService: Sendable {
    /// Where and how to listen.
    public struct Configuration: Sendable {
        public var interface: String
        /// The address transfers are sent from (the server's address on the interface).
        public var address: IPv4Address
        public var port = 69
        public var root: String
        /// The interface MTU bounds blksize.
        public var mtu = 1500
        /// Threads running transfers, each polling its own sockets.
        public var transferThreads = 1
        /// Transfers at once, and from one client address: a flood of requests (spoofed source ports) holds at
        /// most this many ports and buffers; the excess is refused with an error and the clients ask again.
        public var limits = TransferLimits()

        public init(interface: String, address: IPv4Address, root: String) {
            self.interface = interface
            self.address = address
            self.root = root
        }
    }

    public let counters = TFTPCounters()
    private let configuration: Configuration
    /// The generated configs of the inventory serving now, over the root the server started with.
    private let files: ServingFiles
    private let root: RootDirectory
    private let timeline: BootTimeline
    private let logger: Logger
    /// Refusals and failed transfers, each kind logged a few times per interval (a flood sends thousands).
    private let throttle: LogThrottle<String>
    private let transfers: ActiveTransfers
    private let spares: SpareSockets
    private let loops: TransferLoops

    /// Transfers running now.
    public var activeTransfers: Int { transfers.count }

    public init(snapshots: SnapshotPublisher, configuration: Configuration, timeline: BootTimeline, logger: Logger) throws {
        self.configuration = configuration
        self.timeline = timeline
        self.logger = logger
        throttle = Self.makeLogThrottle()
        transfers = ActiveTransfers(limits: configuration.limits)
        root = try RootDirectory(path: configuration.root)
        spares = SpareSockets(address: configuration.address)
        loops = try TransferLoops(count: configuration.transferThreads)
        files = ServingFiles(root: root, snapshots: snapshots)
    }

    /// The request socket: UDP `port` on `interface`. `serve` opens it while it holds its capabilities.
    public static func openRequestSocket(interface: String, port: Int) throws -> Int32 {
        // A rack powered on at once sends its requests within milliseconds, and each one that the socket cannot
        // hold costs a node seconds before its firmware asks again: 4 MiB holds thousands.
        let descriptor = netroot_request_socket(interface, UInt16(port), 4 << 20)
        guard descriptor >= 0 else { throw TFTPServerError(call: "UDP port \(port) on \(interface)") }
        return descriptor
    }

    /// Answers requests on `listener` (port 69 on the interface, opened here when nil); the first transfer
    /// thread answers them from then on.
    public func start(listener: Int32? = nil) throws {
        let descriptor = try listener
            ?? Self.openRequestSocket(interface: configuration.interface, port: configuration.port)
        spares.refill()
        let processor = RequestProcessor(listener: descriptor, files: files, configuration: configuration,
                                         transfers: transfers, spares: spares, loops: loops, counters: counters,
                                         timeline: timeline, logger: logger, throttle: throttle)
        loops.first.serveRequests(on: descriptor, with: processor)
        logger.info("TFTP listening", metadata: ["interface": "\(configuration.interface)", "root": "\(configuration.root)",
                                                  "port": "\(configuration.port)"])
    }

    /// The service's log throttle: per kind of refusal or failure, 5 lines per 10 s, then one "N more suppressed".
    static func makeLogThrottle(clock: MonotonicClock = .continuous) -> LogThrottle<String> {
        LogThrottle(.init(limit: 5, interval: .seconds(10), capacity: 64), clock: clock)
    }

    /// Stops taking requests; transfers in flight finish (or time out) on their own ports, up to `limit`, and
    /// those still running then are ended with an error to their client.
    public func stop(waitingUpTo limit: Duration = .seconds(10)) async {
        loops.first.closeRequests()
        spares.closeAll()
        let deadline = ContinuousClock.now + limit
        while transfers.count > 0, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        loops.endAll()
        throttle.flush(to: logger, all: true)
    }
}

/// How many transfers may run at once, in all and from one client address (defaults fit a 1,000-node rack:
/// a node runs one transfer at a time).
public struct TransferLimits: Sendable, Equatable {
    public var total: Int
    public var perClient: Int

    public init(total: Int = 4096, perClient: Int = 1024) {
        self.total = total
        self.perClient = perClient
    }
}

/// Transfers in flight, keyed by client address and port: pxelinux reuses the same source ports on every
/// node, so the pair (not the port alone) names a transfer, and a retransmitted request is not a new one.
final class ActiveTransfers: Sendable {
    /// What a request's claim on a transfer slot came to.
    enum Claim: Equatable {
        case claimed
        /// The same client address and port already has a transfer running: a retransmitted request.
        case duplicate
        case overClientLimit
        case overTotalLimit
    }

    private struct State {
        var clients: Set<TFTPClient> = []
        var perAddress: [IPv4Address: Int] = [:]
    }

    private let state = NIOLockedValueBox(State())
    let limits: TransferLimits

    init(limits: TransferLimits = TransferLimits()) { self.limits = limits }

    var count: Int { state.withLockedValue { $0.clients.count } }

    func claim(_ client: TFTPClient) -> Claim {
        let address = client.address
        return state.withLockedValue { state in
            guard !state.clients.contains(client) else { return .duplicate }
            guard state.clients.count < limits.total else { return .overTotalLimit }
            guard state.perAddress[address, default: 0] < limits.perClient else { return .overClientLimit }
            state.clients.insert(client)
            state.perAddress[address, default: 0] += 1
            return .claimed
        }
    }

    func release(_ client: TFTPClient) {
        let address = client.address
        state.withLockedValue { state in
            guard state.clients.remove(client) != nil else { return }
            let left = state.perAddress[address, default: 1] - 1
            state.perAddress[address] = left > 0 ? left : nil
        }
    }
}

/// The transfer threads; sessions are spread over them in turn.
final class TransferLoops: Sendable {
    private let loops: [TransferLoop]
    private let next = Atomic<Int>(0)

    init(count: Int) throws { loops = try (0..<max(1, count)).map { _ in try TransferLoop() } }

    /// The thread that also answers requests on port 69.
    var first: TransferLoop { loops[0] }

    func adopt(_ session: TransferSession) {
        let index = next.add(1, ordering: .relaxed).oldValue
        loops[index % loops.count].adopt(session)
    }

    func endAll() { for loop in loops { loop.endAll() } }
}

/// Transfer sockets bound ahead of time, so a request's first reply does not wait for them to be created and
/// bound. Each pair serves one transfer and is closed after it, so no port is reused for two.
final class SpareSockets: Sendable {
    private let address: IPv4Address
    private let target = 4
    private let state = NIOLockedValueBox<(ready: [TransferSockets], open: Bool)>(([], true))

    init(address: IPv4Address) { self.address = address }

    /// A bound pair, or nil when none is ready.
    func take() -> TransferSockets? { state.withLockedValue { $0.ready.popLast() } }

    /// Binds new pairs until `target` are ready.
    func refill() {
        while state.withLockedValue({ $0.open && $0.ready.count < target }) {
            guard let sockets = try? TransferSockets.open(address: address) else { return }
            let kept = state.withLockedValue { state in
                guard state.open else { return false }
                state.ready.append(sockets)
                return true
            }
            if !kept { sockets.close() }
        }
    }

    func closeAll() {
        let pairs = state.withLockedValue { state -> [TransferSockets] in
            state.open = false
            defer { state.ready.removeAll() }
            return state.ready
        }
        for sockets in pairs { sockets.close() }
    }
}
