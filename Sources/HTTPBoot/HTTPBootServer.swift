import BootTimeline
import FileRoot
import HTTPService
import Inventory
import Logging
import NIOCore
import NIOPosix
import Snapshot
import Support

/// The HTTP boot service: per-node iPXE scripts and the files under `tftp_root` (the same escape-proof root as
/// TFTP) on the provisioning address and `server.http_boot_port`, through the shared HTTP service (limits,
/// timeouts, one response in flight per connection, Range, keep-alive, sendfile).
public final class HTTPBootServer: Sendable {
    public let counters: HTTPBootCounters
    private let server: HTTPServer

    public static func start(address: IPv4Address, port: Int, listening: Int32? = nil, root: EscapeProofRoot,
                             snapshots: SnapshotPublisher,
                             timeline: BootTimeline, limits: HTTPServiceLimits = HTTPServiceLimits(),
                             group: EventLoopGroup, logger: Logger) async throws -> HTTPBootServer {
        let counters = HTTPBootCounters()
        let baseURL = "http://\(address):\(port)"
        let routes = HTTPBootRoutes(root: root, snapshots: snapshots, timeline: timeline, counters: counters,
                                    baseURL: baseURL, logger: logger)
        let server = try await HTTPServer.start(host: "\(address)", port: port, listening: listening,
                                                configuration: .init(name: "HTTP boot", limits: limits),
                                                route: routes.respond, group: group, logger: logger)
        counters.connections = { server.openConnections }
        logger.info("HTTP boot ready (iPXE scripts, kernels, initrds)", metadata: ["url": "\(baseURL)"])
        return HTTPBootServer(server: server, counters: counters)
    }

    private init(server: HTTPServer, counters: HTTPBootCounters) {
        self.server = server
        self.counters = counters
    }

    public func stop() async { await server.stop() }
}
