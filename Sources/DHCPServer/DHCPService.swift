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

    /// Binds the socket and starts answering.
    public func start() async throws {
        discovery.load()
        let raw: RawFrameSender?
        do {
            raw = try RawFrameSender(interface: configuration.interface)
        } catch {
            raw = nil
            logger.warning("raw frames unavailable, replying by broadcast instead: \(error)")
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
            .bind(toDevice: configuration.interface, port: configuration.port, receiveBuffer: 4 << 20, handler: handler)
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
