import Dashboard
import Foundation
import Inventory
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// `server.http`: GET `/metrics` (Prometheus text), `/healthz`, `/status.json` (the boot timeline) and the
/// dashboard (its page, `/api/…` and the `/events` stream). Off unless configured; meant for localhost or a
/// management network, so it serves nothing that changes state. With a token, every request must carry it.
final class HTTPEndpoint: Sendable {
    private let channel: Channel

    /// What each path answers with: status, content type, body.
    typealias Routes = @Sendable (String) -> (HTTPResponseStatus, String, [UInt8])

    /// A Server-Sent Events stream: `updates(version)` gives what changed after the version a watcher has seen
    /// (nil: nothing) and the version it has seen then. Each watcher is polled every `interval`, so a storm of
    /// changes between two polls goes out as one event.
    struct EventStream: Sendable {
        var path: String
        var updates: @Sendable (UInt64) -> (UInt64, [UInt8]?)
        var interval: TimeAmount = .milliseconds(300)
        var heartbeat: TimeAmount = .seconds(15)
    }

    static func start(_ listen: HTTPListen, token: AccessToken?, routes: @escaping Routes, stream: EventStream?,
                      group: EventLoopGroup, logger: Logger) async throws -> HTTPEndpoint {
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.configureHTTPServerPipeline()
                    try pipeline.addHandler(HTTPRequestHandler(routes: routes, token: token, stream: stream))
                }
            }
            .bind(host: "\(listen.address)", port: listen.port)
            .get()
        logger.info("HTTP listening (dashboard at /, /metrics, /healthz, /status.json)",
                    metadata: ["address": "\(listen)", "token": "\(token == nil ? "none" : "required")"])
        return HTTPEndpoint(channel: channel)
    }

    private init(channel: Channel) { self.channel = channel }

    func stop() async { try? await channel.close() }
}

/// One connection: a plain answer (then close), or the event stream (kept open until the client leaves).
private final class HTTPRequestHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let routes: HTTPEndpoint.Routes
    private let token: AccessToken?
    private let stream: HTTPEndpoint.EventStream?
    private var ticker: RepeatedTask?

    init(routes: @escaping HTTPEndpoint.Routes, token: AccessToken?, stream: HTTPEndpoint.EventStream?) {
        self.routes = routes
        self.token = token
        self.stream = stream
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(let request) = unwrapInboundIn(data), ticker == nil else { return }
        let parts = request.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let path = String(parts.first ?? "")
        let query = parts.count > 1 ? String(parts[1]) : nil
        guard request.method == .GET else {
            return answer(context, request, .methodNotAllowed, "text/plain", Array("GET only\n".utf8))
        }
        if let token, !token.admits(authorization: request.headers.first(name: "Authorization"), query: query) {
            return answer(context, request, .unauthorized, "text/plain",
                          Array("a token is required: Authorization: Bearer TOKEN, or ?token=TOKEN\n".utf8),
                          extra: [("WWW-Authenticate", "Bearer")])
        }
        if let stream, path == stream.path {
            let since = AccessToken.queryValue("since", in: query).flatMap(UInt64.init) ?? 0
            return startStream(context, request, stream, since: since)
        }
        let (status, type, body) = routes(path)
        answer(context, request, status, type, body)
    }

    private func answer(_ context: ChannelHandlerContext, _ request: HTTPRequestHead, _ status: HTTPResponseStatus,
                        _ type: String, _ body: [UInt8], extra: [(String, String)] = []) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: type)
        headers.add(name: "Content-Length", value: "\(body.count)")
        headers.add(name: "Cache-Control", value: "no-store")
        headers.add(name: "Connection", value: "close")
        for (name, value) in extra { headers.add(name: name, value: value) }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: status,
                                                             headers: headers))), promise: nil)
        var buffer = context.channel.allocator.buffer(capacity: body.count)
        buffer.writeBytes(body)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }

    /// text/event-stream, chunked; polled on the connection's own event loop, so nothing is queued for a slow
    /// watcher: while its socket is full, its version stays behind and the next poll sends everything since.
    private func startStream(_ context: ChannelHandlerContext, _ request: HTTPRequestHead,
                             _ stream: HTTPEndpoint.EventStream, since: UInt64) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/event-stream")
        headers.add(name: "Cache-Control", value: "no-store")
        headers.add(name: "X-Accel-Buffering", value: "no")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: .ok,
                                                             headers: headers))), promise: nil)
        let channel = context.channel
        let loop = context.eventLoop
        @Sendable func send(_ bytes: [UInt8]) {
            var buffer = channel.allocator.buffer(capacity: bytes.count)
            buffer.writeBytes(bytes)
            channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(buffer)), promise: nil)
        }
        send(ServerSentEvent.retry)
        let state = NIOLoopBoundBox((version: since, lastWrite: NIODeadline.now()), eventLoop: loop)
        ticker = loop.scheduleRepeatedTask(initialDelay: .zero, delay: stream.interval) { _ in
            guard channel.isActive, channel.isWritable else { return }
            let (version, bytes) = stream.updates(state.value.version)
            state.value.version = version
            if let bytes {
                send(bytes)
                state.value.lastWrite = .now()
            } else if NIODeadline.now() - state.value.lastWrite >= stream.heartbeat {
                send(ServerSentEvent.heartbeat)
                state.value.lastWrite = .now()
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        ticker?.cancel()
        ticker = nil
        context.fireChannelInactive()
    }
}
