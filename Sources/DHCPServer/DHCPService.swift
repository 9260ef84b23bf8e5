import BootTimeline
import Capture
import CSyscalls
import DHCP
import Foundation
import Inventory
import Leases
import Logging
import NetworkSupport
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Snapshot

/// The DHCP server: a UDP socket on port 67 bound to the serving interface, the responder, the lease store.
public final class DHCPService: Sendable {
    /// Where and how to listen.
    public struct Configuration: Sendable {
        public var interface: String
        /// Port 67 in production; tests and benchmarks may move it.
        public var port: Int = 67
        public var stateDirectory: String

        public init(interface: String, stateDirectory: String) {
            self.interface = interface
            self.stateDirectory = stateDirectory
        }
    }

    public let counters = DHCPCounters()
    /// Boot steps of each client, shared with the TFTP server and `netroot status`.
    public let timeline: BootTimeline
    /// The inventory serving now, shared with TFTP and swapped whole by the reloader.
    private let snapshots: SnapshotPublisher
    /// The journal or the shared database.
    public let store: any LeaseStore
    private let initialLeases: LeaseTable
    private let handler = NIOLockedValueBox<DHCPHandler?>(nil)
    private let configuration: Configuration
    private let interface: InterfaceInfo
    private let serverAddress: IPv4Address
    private let logger: Logger
    private let channel = NIOLockedValueBox<Channel?>(nil)
    /// A loop of its own: it waits on the journal's fdatasync before each batch of ACKs, and must not hold up
    /// TFTP transfers meanwhile.
    private let loop = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    /// Unknown machines that asked for a PXE boot, kept in `state_dir/discovered.json`.
    private let discovery: DiscoveryRecorder

    /// Takes the opened lease store and the leases it holds; binds nothing yet. `serverAddress` is the server
    /// identifier (option 54).
    public init(snapshots: SnapshotPublisher, configuration: Configuration, interface: InterfaceInfo,
                serverAddress: IPv4Address, store: any LeaseStore, leases: LeaseTable, timeline: BootTimeline,
                logger: Logger) {
        self.timeline = timeline
        self.configuration = configuration
        self.logger = logger
        self.interface = interface
        self.serverAddress = serverAddress
        self.store = store
        initialLeases = leases
        self.snapshots = snapshots
        discovery = DiscoveryRecorder(path: DiscoveryFile.path(stateDirectory: configuration.stateDirectory),
                                      logger: logger) {
            Set(snapshots.current.inventory.nodes.map { "\($0.mac)" })
        }
    }

    /// Machines nodes.yaml does not know that asked for a PXE boot, in the order they were first seen.
    public var discoveredMachines: [DiscoveredMachine] { discovery.machines }

    /// The stored leases, for metrics (the database's as this appliance saw them within the last second).
    public var leases: LeaseTable {
        if let journal = store as? LeaseJournal { return journal.leases }
        return handler.withLockedValue { $0 }?.published.withLockedValue { $0 } ?? initialLeases
    }

    /// The socket on the interface's DHCP port, and the packet socket for replies to clients without an address,
    /// as `serve` opens them while it holds its capabilities.
    public struct Sockets: Sendable {
        /// Bound to 0.0.0.0:port on the interface (SO_BINDTODEVICE), with a 4 MiB receive buffer.
        public var listener: Int32
        /// nil: raw frames were refused (`rawFramesProblem` says why); replies go by broadcast.
        public var rawFrames: RawFrameSender?
        public var rawFramesProblem: String?

        /// Opens both for `interface` and `port`; only the listener's failure throws.
        public static func open(interface: String, port: Int) throws(DHCPServiceError) -> Sockets {
            // A rack powered on at once: 4 MiB of receive buffer holds its DISCOVERs (forced past rmem_max where
            // the process may).
            let listener = netroot_request_socket(interface, UInt16(port), 4 << 20)
            guard listener >= 0 else {
                throw DHCPServiceError(description: "UDP port \(port) on \(interface): \(String(cString: strerror(errno)))")
            }
            do {
                return Sockets(listener: listener, rawFrames: try RawFrameSender(interface: interface))
            } catch {
                return Sockets(listener: listener, rawFrames: nil, rawFramesProblem: "\(error)")
            }
        }
    }

    /// Starts answering on `sockets` (opened here when nil).
    public func start(sockets: Sockets? = nil) async throws {
        discovery.load()
        let sockets = try sockets ?? Sockets.open(interface: configuration.interface, port: configuration.port)
        let raw = sockets.rawFrames
        if let problem = sockets.rawFramesProblem {
            logger.warning("raw frames unavailable, replying by broadcast instead: \(problem)")
        }
        let handler = DHCPHandler(snapshots: snapshots, store: store, leases: initialLeases,
                                  serverAddress: serverAddress, interface: interface, raw: raw,
                                  counters: counters, timeline: timeline, logger: logger, discovery: discovery)
        self.handler.withLockedValue { $0 = handler }
        if let shared = store as? PostgresLeaseStore {
            let loop = loop.next()
            shared.onPartnerChanges { updates in loop.execute { handler.apply(partnerChanges: updates) } }
        }
        // Bound to the provisioning interface: answers only there, and broadcasts leave through it.
        let bound = try await DatagramBootstrap(group: loop)
            .channelOption(.socketOption(.so_broadcast), value: 1)
            .channelOption(.receivePacketInfo, value: true)
            .channelOption(.maxMessagesPerRead, value: 16)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 2048))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(handler) }
            }
            .withBoundSocket(sockets.listener).get()
        channel.withLockedValue { $0 = bound }
        logger.info("DHCP listening", metadata: ["interface": "\(configuration.interface)",
                                                  "address": "\(serverAddress)", "port": "\(configuration.port)"])
    }

    /// Closes the socket, then the lease store; every lease acknowledged is already stored.
    public func stop() async {
        if let channel = channel.withLockedValue({ $0 }) { try? await channel.close() }
        try? await loop.shutdownGracefully()
        if let shared = store as? PostgresLeaseStore { await shared.stop() }
        discovery.stop()
    }
}
