import Logging
import NIOCore
import Support
import NIOHTTP1
import NIOPosix

/// Answers a request when its response starts (so a file is opened only then); runs on the connection's event loop.
public typealias HTTPRoute = @Sendable (HTTPServiceRequest) -> HTTPServiceResponse

/// One HTTP/1.1 listener with the limits every netroot listener needs (see `HTTPServiceLimits`): keep-alive,
/// Range and sendfile for files, Server-Sent Events, and the routes of whoever starts it.
public final class HTTPServer: Sendable {
    /// What a listener is: a name for its log lines, its limits, headers every response carries.
    public struct Configuration: Sendable {
        public var name: String
        public var limits: HTTPServiceLimits
        /// Added to every response unless the route sets the same header (security headers, Cache-Control).
        public var commonHeaders: [(String, String)]

        public init(name: String, limits: HTTPServiceLimits = HTTPServiceLimits(), commonHeaders: [(String, String)] = []) {
            self.name = name
            self.limits = limits
            self.commonHeaders = commonHeaders
        }
    }

    private let channel: Channel
    private let context: HTTPServiceContext

    /// Connections open now.
    public var openConnections: Int { context.gate.openConnections }

    /// The port bound (useful when started on port 0).
    public var port: Int? { channel.localAddress?.port }

    /// Binds `host`:`port`, or takes `listening`, a socket already bound and listening there (`serve` binds its
    /// ports before it drops its capabilities), and serves `route` on it.
    public static func start(host: String, port: Int, listening: Int32? = nil, configuration: Configuration,
                             route: @escaping HTTPRoute, group: EventLoopGroup,
                             logger: Logger) async throws -> HTTPServer {
        let context = HTTPServiceContext(configuration: configuration, route: route, logger: logger)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(AcceptErrorReporter(context: context))
                }
            }
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                let client = channel.remoteAddress?.ipAddress ?? "unknown"
                if context.gate.admit(channel, client: client) == .refused {
                    context.warn("connection limit", "connection limits reached (\(configuration.limits.connections) "
                                 + "in total, \(configuration.limits.connectionsPerClient) per client), every "
                                 + "connection busy: refusing new ones")
                    // Not registered yet: the refusal is written once the channel is active.
                    return channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(RefusingHandler())
                    }
                }
                return channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    let gate = ReadGate()
                    try pipeline.addHandler(gate)
                    try pipeline.configureHTTPServerPipeline(withPipeliningAssistance: false, withErrorHandling: true)
                    try pipeline.addHandler(HTTPConnection(service: context, gate: gate))
                }
            }
        let channel = if let listening {
            try await bootstrap.withBoundSocket(listening).get()
        } else {
            try await bootstrap.bind(host: host, port: port).get()
        }
        return HTTPServer(channel: channel, context: context)
    }

    private init(channel: Channel, context: HTTPServiceContext) {
        self.channel = channel
        self.context = context
    }

    public func stop() async { try? await channel.close() }
}

/// What every connection of one listener shares.
final class HTTPServiceContext: Sendable {
    let limits: HTTPServiceLimits
    let commonHeaders: [(String, String)]
    let route: HTTPRoute
    let gate: ConnectionGate
    private let name: String
    private let logger: Logger
    private let throttle: LogThrottle<String>

    init(configuration: HTTPServer.Configuration, route: @escaping HTTPRoute, logger: Logger) {
        limits = configuration.limits
        commonHeaders = configuration.commonHeaders
        self.route = route
        gate = ConnectionGate(limits: configuration.limits)
        name = configuration.name
        self.logger = logger
        throttle = LogThrottle(.init(limit: 1, interval: .seconds(60)))
    }

    /// A warning about load or abuse, at most a few per key and interval (per request would flood the journal).
    func warn(_ key: String, _ message: String) {
        throttle.log(.warning, "\(name): \(message)", key: key, to: logger)
    }
}

/// A connection over the limits: 503 in plain bytes as soon as it is active, then closed.
private final class RefusingHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    static let answer = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\nRetry-After: 1\r\n\r\n"

    func channelActive(context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: Self.answer.utf8.count)
        buffer.writeString(Self.answer)
        let channel = context.channel
        context.writeAndFlush(NIOAny(buffer)).whenComplete { _ in channel.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {} // whatever the client sent is not read
}

/// EMFILE/ENFILE on accept: NIO backs off by itself; the administrator hears of it once, not per attempt.
private final class AcceptErrorReporter: ChannelInboundHandler, Sendable {
    typealias InboundIn = Channel
    private let context: HTTPServiceContext

    init(context: HTTPServiceContext) { self.context = context }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        self.context.warn("accept", "cannot accept connections: \(error)")
        context.fireErrorCaught(error)
    }
}
