import BootTimeline
import Inventory
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Snapshot
import TFTP

/// The HTTP boot service: per-node iPXE scripts and the files under `tftp_root` (the same escape-proof root as
/// TFTP), with Content-Length always, Range, HEAD, keep-alive and zero-copy sends (sendfile), on the
/// provisioning address and `server.http_boot_port`.
public final class HTTPBootServer: Sendable {
    /// A connection with no request and no write progress for this long is closed (a stalled client).
    public static let idleTimeout = TimeAmount.seconds(60)

    public let counters: HTTPBootCounters
    private let channel: Channel

    public static func start(address: IPv4Address, port: Int, root: RootDirectory, snapshots: SnapshotPublisher,
                             timeline: BootTimeline, group: EventLoopGroup,
                             logger: Logger) async throws -> HTTPBootServer {
        let counters = HTTPBootCounters()
        let baseURL = "http://\(address):\(port)"
        let context = HTTPBootContext(root: root, snapshots: snapshots, timeline: timeline, counters: counters,
                                      baseURL: baseURL, logger: logger)
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 1024)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.addHandler(IdleStateHandler(allTimeout: idleTimeout))
                    try pipeline.configureHTTPServerPipeline(withPipeliningAssistance: true,
                                                             withErrorHandling: true)
                    try pipeline.addHandler(HTTPBootHandler(context: context))
                }
            }
            .bind(host: "\(address)", port: port)
            .get()
        logger.info("HTTP boot ready (iPXE scripts, kernels, initrds)", metadata: ["url": "\(baseURL)"])
        return HTTPBootServer(channel: channel, counters: counters)
    }

    private init(channel: Channel, counters: HTTPBootCounters) {
        self.channel = channel
        self.counters = counters
    }

    public func stop() async { try? await channel.close() }
}

/// What every connection's handler shares.
struct HTTPBootContext: Sendable {
    let root: RootDirectory
    let snapshots: SnapshotPublisher
    let timeline: BootTimeline
    let counters: HTTPBootCounters
    let baseURL: String
    let logger: Logger
}
