import BootTimeline
import Capture
import DHCP
import Foundation
import Inventory
import Logging
import NetworkSupport
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Snapshot

/// The DHCP server: a UDP socket on port 67 bound to the serving interface, the responder, the lease journal.
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
    private let journal: LeaseJournal
    private let initialLeases: LeaseTable
    private let configuration: Configuration
    private let interface: InterfaceInfo
    private let serverAddress: IPv4Address
    private let logger: Logger
    private let channel = NIOLockedValueBox<Channel?>(nil)
    /// A loop of its own: it waits on the journal's fdatasync before each batch of ACKs, and must not hold up
    /// TFTP transfers meanwhile.
    private let loop = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    /// Opens the lease journal; binds nothing yet. `serverAddress` is the server identifier (option 54).
    public init(snapshots: SnapshotPublisher, configuration: Configuration, interface: InterfaceInfo, serverAddress: IPv4Address,
                timeline: BootTimeline, logger: Logger) throws {
        self.timeline = timeline
        self.configuration = configuration
        self.logger = logger
        self.interface = interface
        self.serverAddress = serverAddress
        let opened = try LeaseJournal.open(directory: configuration.stateDirectory, logger: logger)
        journal = opened.journal
        initialLeases = opened.leases
        if opened.damagedLines > 0 {
            logger.warning("lease journal: skipped \(opened.damagedLines) damaged line(s)", metadata: ["file": "\(journal.path)"])
        }
        self.snapshots = snapshots
        logger.info("leases loaded", metadata: ["count": "\(opened.leases.count)", "file": "\(journal.path)"])
    }

    /// The journaled leases, for metrics.
    public var leases: LeaseTable { journal.leases }

    /// Binds the socket and starts answering.
    public func start() async throws {
        let raw: RawFrameSender?
        do {
            raw = try RawFrameSender(interface: configuration.interface)
        } catch {
            raw = nil
            logger.warning("raw frames unavailable, replying by broadcast instead: \(error)")
        }
        let handler = DHCPHandler(snapshots: snapshots, journal: journal, leases: initialLeases,
                                  serverAddress: serverAddress, interface: interface, raw: raw,
                                  counters: counters, timeline: timeline, logger: logger)
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

    /// Closes the socket; every lease acknowledged is already on disk.
    public func stop() async {
        if let channel = channel.withLockedValue({ $0 }) { try? await channel.close() }
        try? await loop.shutdownGracefully()
    }
}
