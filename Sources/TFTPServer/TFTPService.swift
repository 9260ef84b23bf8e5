import BootTimeline
import BootConfig
import Foundation
import Inventory
import Logging
import NetworkSupport
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
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

        public init(interface: String, address: IPv4Address, root: String) {
            self.interface = interface
            self.address = address
            self.root = root
        }
    }

    public let counters = TFTPCounters()
    private let configuration: Configuration
    private let files: NIOLockedValueBox<TFTPFiles>
    private let root: RootDirectory
    private let timeline: BootTimeline
    private let logger: Logger
    private let listener = NIOLockedValueBox<Channel?>(nil)
    private let transfers = ActiveTransfers()
    private let spares: SpareSockets

    /// Transfers running now.
    public var activeTransfers: Int { transfers.count }

    public init(inventory: Inventory, configuration: Configuration, timeline: BootTimeline, logger: Logger) throws {
        self.configuration = configuration
        self.timeline = timeline
        self.logger = logger
        root = try RootDirectory(path: configuration.root)
        spares = SpareSockets(address: configuration.address, counters: counters)
        files = NIOLockedValueBox(TFTPFiles(root: root, bootConfigs: BootConfigFiles(inventory: inventory)))
    }

    /// New generated configs from a new inventory; transfers in flight keep the bytes they started with.
    public func replace(inventory: Inventory) {
        files.withLockedValue { $0 = TFTPFiles(root: root, bootConfigs: BootConfigFiles(inventory: inventory)) }
    }

    public func start(group: EventLoopGroup) async throws {
        spares.refill(group: group)
        let handler = RequestHandler(files: files, configuration: configuration, transfers: transfers,
                                     spares: spares, counters: counters, timeline: timeline, logger: logger,
                                     group: group)
        let channel = try await DatagramBootstrap(group: group)
            .bind(toDevice: configuration.interface, port: configuration.port, handler: handler)
        listener.withLockedValue { $0 = channel }
        logger.info("TFTP listening", metadata: ["interface": "\(configuration.interface)", "root": "\(configuration.root)",
                                                  "port": "\(configuration.port)"])
    }

    /// Stops taking requests; transfers in flight finish (or time out) on their own ports.
    public func stop(waitingUpTo limit: Duration = .seconds(10)) async {
        if let channel = listener.withLockedValue({ $0 }) { try? await channel.close() }
        spares.closeAll()
        let deadline = ContinuousClock.now + limit
        while transfers.count > 0, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        transfers.closeAll()
    }
}

/// Sent through a transfer's pipeline when the server stops before the transfer ends.
struct ServerStopping: Sendable {}

/// Transfers in flight, keyed by client address and port: pxelinux reuses the same source ports on every
/// node, so the pair (not the port alone) names a transfer, and a retransmitted request is not a new one.
final class ActiveTransfers: Sendable {
    /// nil while the transfer's channel is being bound.
    private let channels = NIOLockedValueBox<[SocketAddress: Channel?]>([:])

    var count: Int { channels.withLockedValue { $0.count } }

    /// False when a transfer for this client address and port is already running.
    func claim(_ client: SocketAddress) -> Bool {
        channels.withLockedValue { map in
            guard map.index(forKey: client) == nil else { return false }
            map.updateValue(nil, forKey: client)
            return true
        }
    }

    func attach(_ client: SocketAddress, channel: Channel) { channels.withLockedValue { $0[client] = channel } }

    func release(_ client: SocketAddress) { channels.withLockedValue { _ = $0.removeValue(forKey: client) } }

    /// Ends every transfer still running: each tells its client with a TFTP error, then closes.
    func closeAll() {
        for case let channel? in channels.withLockedValue({ Array($0.values) }) {
            channel.pipeline.fireUserInboundEventTriggered(ServerStopping())
        }
    }
}

/// Transfer sockets bound ahead of time, so a request's first reply does not wait for a socket to be created,
/// bound and registered. Each serves one transfer and is closed after it, so no port is reused for two.
final class SpareSockets: Sendable {
    private let address: IPv4Address
    private let counters: TFTPCounters
    private let target = 4
    private let state = NIOLockedValueBox<(ready: [TransferPort], binding: Int, open: Bool)>(([], 0, true))

    init(address: IPv4Address, counters: TFTPCounters) {
        self.address = address
        self.counters = counters
    }

    /// A bound socket without a handler, or nil when none is ready.
    func take() -> TransferPort? {
        state.withLockedValue { $0.ready.popLast() }
    }

    /// Binds new spares until `target` are ready or being bound.
    func refill(group: EventLoopGroup) {
        let missing = state.withLockedValue { state -> Int in
            guard state.open else { return 0 }
            let missing = max(0, target - state.ready.count - state.binding)
            state.binding += missing
            return missing
        }
        for _ in 0..<missing {
            TransferPort.open(address: address, group: group, counters: counters).whenComplete { [state] result in
                let keep: TransferPort? = state.withLockedValue { state in
                    state.binding -= 1
                    guard case .success(let port) = result else { return nil }
                    guard state.open else { return port } // closed below
                    state.ready.append(port)
                    return nil
                }
                keep?.close()
            }
        }
    }

    func closeAll() {
        let ports = state.withLockedValue { state -> [TransferPort] in
            state.open = false
            defer { state.ready.removeAll() }
            return state.ready
        }
        for port in ports { port.close() }
    }
}
