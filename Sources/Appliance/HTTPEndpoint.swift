import Foundation
import Inventory
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// `server.http`: GET `/metrics` (Prometheus text), `/healthz` and `/status.json` (the boot timeline). Off
/// unless configured; meant for localhost or a management network, so it serves nothing that changes state.
final class HTTPEndpoint: Sendable {
    private let channel: Channel

    /// What each path answers with: status, content type, body.
    typealias Routes = @Sendable (String) -> (HTTPResponseStatus, String, [UInt8])

    static func start(_ listen: HTTPListen, routes: @escaping Routes, group: EventLoopGroup,
                      logger: Logger) async throws -> HTTPEndpoint {
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(HTTPRequestHandler(routes: routes))
                }
            }
            .bind(host: "\(listen.address)", port: listen.port)
            .get()
        logger.info("HTTP listening (/metrics, /healthz, /status.json)", metadata: ["address": "\(listen)"])
        return HTTPEndpoint(channel: channel)
    }

    private init(channel: Channel) { self.channel = channel }

    func stop() async { try? await channel.close() }
}

private final class HTTPRequestHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let routes: HTTPEndpoint.Routes

    init(routes: @escaping HTTPEndpoint.Routes) { self.routes = routes }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(let request) = unwrapInboundIn(data) else { return }
        let path = String(request.uri.split(separator: "?", maxSplits: 1).first ?? "")
        let (status, type, body) = request.method == .GET
            ? routes(path) : (.methodNotAllowed, "text/plain", Array("GET only\n".utf8))
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: type)
        headers.add(name: "Content-Length", value: "\(body.count)")
        headers.add(name: "Connection", value: "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: status,
                                                             headers: headers))), promise: nil)
        var buffer = context.channel.allocator.buffer(capacity: body.count)
        buffer.writeBytes(body)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}
