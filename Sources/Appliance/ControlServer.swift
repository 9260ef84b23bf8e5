import BootTimeline
import Control
import DHCPServer
import DHCP
import Diagnostics
import Foundation
import Inventory
import Leases
import Logging
import NIOCore
import NIOPosix

/// The local control socket `netroot status` talks to: a Unix socket under state_dir, readable by root only.
final class ControlServer: Sendable {
    let path: String
    private let channel: Channel

    static func start(directory: String, timeline: BootTimeline, rogues: RogueServers?, dhcp: DHCPCounters?,
                      leaseStore: (any LeaseStore)? = nil, leases: (@Sendable () -> LeaseTable)? = nil,
                      group: EventLoopGroup,
                      logger: Logger) async throws -> ControlServer {
        let path = directory + "/" + ControlProtocol.socketName
        let startedAt = Date().timeIntervalSince1970
        // The socket is created with the umask's bits: root only, since status names every node and its MAC.
        let previousMask = umask(0o077)
        defer { umask(previousMask) }
        let channel = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ControlConnectionHandler(timeline: timeline, rogues: rogues, dhcp: dhcp, leaseStore: leaseStore,
                                                 leases: leases, startedAt: startedAt))
                }
            }
            .bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true)
            .get()
        logger.info("control socket ready", metadata: ["path": "\(path)"])
        return ControlServer(path: path, channel: channel)
    }

    private init(path: String, channel: Channel) {
        self.path = path
        self.channel = channel
    }

    func stop() async {
        try? await channel.close()
        unlink(path)
    }
}

/// One connection: collects the request line (at most 16 KiB: a power record), answers, closes.
private final class ControlConnectionHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let timeline: BootTimeline
    private let rogues: RogueServers?
    private let dhcp: DHCPCounters?
    private let leaseStore: (any LeaseStore)?
    private let leases: (@Sendable () -> LeaseTable)?
    private let startedAt: Double
    private var received: [UInt8] = []

    init(timeline: BootTimeline, rogues: RogueServers?, dhcp: DHCPCounters?, leaseStore: (any LeaseStore)?,
         leases: (@Sendable () -> LeaseTable)?, startedAt: Double) {
        self.leases = leases
        self.timeline = timeline
        self.rogues = rogues
        self.dhcp = dhcp
        self.leaseStore = leaseStore
        self.startedAt = startedAt
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        received += unwrapInboundIn(data).readableBytesView
        if let end = received.firstIndex(of: UInt8(ascii: "\n")) {
            respond(String(decoding: received[..<end], as: UTF8.self), context: context)
        } else if received.count > 16384 {
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {}

    private func respond(_ line: String, context: ChannelHandlerContext) {
        var reply = ControlProtocol.answer(line.trimmingCharacters(in: .whitespaces), timeline: timeline,
                                           startedAt: startedAt, now: Date().timeIntervalSince1970)
        reply.rogueServers = rogues?.list() ?? []
        reply.leaseJournal = dhcp.flatMap { ControlProtocol.journalFailure($0.snapshot) }
        if let leaseStore, let leases {
            let health = leaseStore.health
            reply.leaseStore = health
            if health.backend != "journal" { ControlProtocol.stampGrants(&reply, leases: leases(), health: health) }
        }
        let bytes = ControlProtocol.encode(reply)
        var buffer = context.channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(buffer)).whenComplete { _ in channel.close(promise: nil) }
    }
}

/// The server's side of the protocol: requests answered from the timeline, replies completed from the DHCP
/// counters and the lease store, encoded (pure).
extension ControlProtocol {
    /// Names the appliance that granted each client's lease (this one's own bindings carry no name).
    static func stampGrants(_ reply: inout StatusReply, leases: LeaseTable, health: LeaseStoreHealth) {
        let this = health.appliances.first(where: \.this)?.name
        for index in reply.clients.indices {
            guard let text = reply.clients[index].mac, let mac = MACAddress(text),
                  let lease = leases.lease(for: mac), lease.state == .bound else { continue }
            reply.clients[index].grantedBy = lease.grantedBy ?? this
        }
    }

    /// The journal's failure from the DHCP counters, nil while writes succeed.
    static func journalFailure(_ counters: DHCPCounters.Snapshot) -> JournalFailure? {
        guard let since = counters.journalFailingSince else { return nil }
        return JournalFailure(since: since, error: counters.journalError ?? "unknown error",
                              failedWrites: counters.journalFailures)
    }

    /// The reply to one request line. Pure but for reading the timeline it is handed.
    static func answer(_ line: String, timeline: BootTimeline, startedAt: Double, now: Double) -> StatusReply {
        let words = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        var reply = StatusReply(now: now, startedAt: startedAt, clients: [], error: nil)
        switch words.first {
        case "status" where words.count == 1:
            reply.clients = timeline.snapshot()
        case "power" where words.count >= 2:
            let json = line.drop { $0 != "{" }
            guard let record = try? JSONDecoder().decode(PowerRecord.self, from: Data(json.utf8)),
                  record.events.count <= 16, record.node.count <= 256 else {
                reply.error = "unreadable power record"
                break
            }
            timeline.recordPower(record.events, client: record.node, mac: record.mac?.lowercased())
        case "status" where words.count == 2:
            if let found = timeline.timeline(of: words[1]) {
                reply.clients = [found]
            } else {
                reply.error = "no boot steps seen from '\(words[1])' since the server started"
            }
        default:
            reply.error = "unknown request '\(line.prefix(64))'; expected 'status' or 'status NODE'"
        }
        return reply
    }

    static func encode(_ reply: StatusReply) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Array((try? encoder.encode(reply)) ?? Data("{}".utf8))
    }
}
