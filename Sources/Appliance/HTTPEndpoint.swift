import Dashboard
import Foundation
import HTTPService
import Inventory
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// `server.http`: GET `/metrics` (Prometheus text), `/healthz`, `/status.json` (the boot timeline) and the
/// dashboard (its page, `/api/…` and the `/events` stream), on the shared HTTP service. Off unless configured;
/// meant for localhost or a management network, so it serves nothing that changes state. With a token, every
/// request must carry it; every request's `Host` must name this listener (no DNS rebinding); every response carries
/// the security headers.
final class HTTPEndpoint: Sendable {
    private let server: HTTPServer

    /// What each path answers with: status, content type, body.
    typealias Routes = @Sendable (String) -> (HTTPResponseStatus, String, [UInt8])

    /// The dashboard's event stream: `updates(version)` gives what changed after a version (see `HTTPEventStream`).
    struct EventStream: Sendable {
        var path: String
        var updates: @Sendable (UInt64) -> (UInt64, [UInt8]?)
        var interval: TimeAmount = .milliseconds(300)
        var heartbeat: TimeAmount = .seconds(15)
    }

    /// Sent with every response: no framing by other sites, no type sniffing, no referrer carrying a token, and
    /// only this listener's own scripts, styles and connections.
    static let securityHeaders: [(String, String)] = [
        ("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"),
        ("X-Frame-Options", "DENY"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
        ("Cross-Origin-Resource-Policy", "same-origin"),
        ("Cache-Control", "no-store"),
    ]

    static func start(_ listen: HTTPListen, listening: Int32? = nil, token: AccessToken?, hostNames: [String] = [],
                      limits: HTTPServiceLimits = HTTPServiceLimits(), routes: @escaping Routes,
                      stream: EventStream?, group: EventLoopGroup, logger: Logger) async throws -> HTTPEndpoint {
        let access = OpsAccess(token: token, hosts: HostCheck(listen: "\(listen.address)", names: hostNames))
        let server = try await HTTPServer.start(
            host: "\(listen.address)", port: listen.port, listening: listening,
            configuration: .init(name: "HTTP (server.http)", limits: limits, commonHeaders: securityHeaders),
            route: { request in access.respond(to: request, routes: routes, stream: stream) },
            group: group, logger: logger)
        logger.info("HTTP listening (dashboard at /, /metrics, /healthz, /status.json)",
                    metadata: ["address": "\(listen)", "token": "\(token == nil ? "none" : "required")"])
        return HTTPEndpoint(server: server)
    }

    private init(server: HTTPServer) { self.server = server }

    func stop() async { await server.stop() }
}

/// The ops listener's rules before any route: GET (or HEAD) only, a Host that names it, the token (from the
/// cookie, the header or, once, the query: answered by setting the cookie and sending the browser to the same page
/// without the token in its address).
struct OpsAccess: Sendable {
    let token: AccessToken?
    let hosts: HostCheck

    func respond(to request: HTTPServiceRequest, routes: HTTPEndpoint.Routes,
                 stream: HTTPEndpoint.EventStream?) -> HTTPServiceResponse {
        let head = request.head
        guard head.method == .GET || head.method == .HEAD else {
            return .text(.methodNotAllowed, "GET only\n", headers: [("Allow", "GET, HEAD")])
        }
        guard hosts.admits(head.headers.first(name: "Host"), version: head.version) else {
            return .text(.misdirectedRequest, "this listener does not answer for that Host (DNS rebinding?); "
                            + "use its address, localhost, or a name listed in server.http_names\n")
        }
        if let token {
            let cookie = AccessToken.cookieValue(in: head.headers[canonicalForm: "Cookie"].map(String.init))
            guard token.admits(authorization: head.headers.first(name: "Authorization"), query: request.query,
                               cookie: cookie) else {
                return .text(.unauthorized, "a token is required: Authorization: Bearer TOKEN, or open "
                                + "/?token=TOKEN once in the browser\n", headers: [("WWW-Authenticate", "Bearer")])
            }
            if AccessToken.queryValue("token", in: request.query) != nil,
               request.path == "/" || request.path == "/index.html" {
                // The token leaves the address bar (and the history) for an HttpOnly cookie this site alone sends.
                let rest = AccessToken.removingQueryValue("token", from: request.query)
                return HTTPServiceResponse(status: .seeOther, headers: [
                    ("Location", request.path + (rest.map { "?" + $0 } ?? "")),
                    ("Set-Cookie", token.cookie),
                    ("Content-Type", "text/plain; charset=utf-8"),
                ], body: .bytes(Array("token taken; continue at /\n".utf8)))
            }
        }
        if let stream, request.path == stream.path {
            let since = AccessToken.queryValue("since", in: request.query).flatMap(UInt64.init) ?? 0
            return HTTPServiceResponse(status: .ok, body: .events(HTTPEventStream(
                since: since, updates: stream.updates, interval: stream.interval, heartbeat: stream.heartbeat,
                preamble: ServerSentEvent.retry, heartbeatFrame: ServerSentEvent.heartbeat)))
        }
        let (status, type, body) = routes(request.path)
        return HTTPServiceResponse(status: status, headers: [("Content-Type", type)], body: .bytes(body))
    }
}

/// Whether a request's `Host` names this listener: an IP literal (DNS rebinding needs a name), `localhost` (an
/// `ssh -L` tunnel), or a name the inventory lists in `server.http_names`. The port is not compared: a tunnel
/// changes it.
struct HostCheck: Sendable {
    let names: Set<String>

    init(listen: String, names: [String]) {
        self.names = Set((names + [listen, "localhost"]).map { $0.lowercased() })
    }

    func admits(_ host: String?, version: HTTPVersion) -> Bool {
        guard let host else { return version.major == 1 && version.minor == 0 } // HTTP/1.1 requires Host
        let name = Self.hostPart(host.lowercased())
        if names.contains(name) { return true }
        if name.hasSuffix(".localhost") { return true }
        return IPv4Address(name) != nil || Self.isIPv6Literal(name)
    }

    /// `a.b:9100` → `a.b`; `[::1]:9100` → `[::1]`; a trailing dot dropped.
    static func hostPart(_ host: String) -> String {
        var part = Substring(host.trimmingCharacters(in: .whitespaces))
        if part.hasPrefix("[") {
            if let end = part.firstIndex(of: "]") { part = part[...end] }
        } else if let colon = part.lastIndex(of: ":") {
            part = part[..<colon]
        }
        if part.hasSuffix(".") { part = part.dropLast() }
        return String(part)
    }

    private static func isIPv6Literal(_ name: String) -> Bool {
        guard name.hasPrefix("["), name.hasSuffix("]") else { return false }
        var address = in6_addr()
        return inet_pton(AF_INET6, String(name.dropFirst().dropLast()), &address) == 1
    }
}
