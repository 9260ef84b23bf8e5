@testable import Appliance
import Dashboard
import Foundation
import Inventory
import Logging
import NIOConcurrencyHelpers
import NIOPosix
import Testing

@Suite("HTTP endpoint: token and event stream")
struct HTTPEndpointTests {
    /// A port of its own per test run, so two runs on one machine do not collide.
    private static func listen() -> HTTPListen { HTTPListen("127.0.0.1:\(Int.random(in: 40000...59999))")! }

    /// One HTTP/1.1 request over a plain socket; reads until `until` appears or the peer closes (2 s at most).
    private func request(_ port: Int, _ target: String, host: String = "127.0.0.1", headers: String = "",
                         until: String? = nil) throws -> String {
        let fd = try connect(port, sending: "GET \(target) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\(headers)\r\n")
        defer { close(fd) }
        return receive(fd, until: until)
    }

    @Test("with a token: 401 without it or with a wrong one, 200 with the header or the query")
    func token() async throws {
        let listen = Self.listen()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let endpoint = try await HTTPEndpoint.start(listen, token: AccessToken(fileContents: "t0ken\n"),
                                                    routes: { _ in (.ok, "text/plain", Array("fine\n".utf8)) },
                                                    stream: nil, group: group, logger: Logger(label: "test"))
        #expect(try request(listen.port, "/metrics").hasPrefix("HTTP/1.1 401"))
        #expect(try request(listen.port, "/metrics", headers: "Authorization: Bearer t0ke\r\n").hasPrefix("HTTP/1.1 401"))
        #expect(try request(listen.port, "/metrics", headers: "Authorization: Bearer t0ken\r\n").hasPrefix("HTTP/1.1 200"))
        #expect(try request(listen.port, "/metrics?token=t0ken").hasSuffix("fine\n"))
        await endpoint.stop()
        try await group.shutdownGracefully()
    }

    @Test("Host must name the listener: its address, localhost or http_names; a rebinding name gets 421")
    func hostCheck() async throws {
        let listen = Self.listen()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let endpoint = try await HTTPEndpoint.start(listen, token: nil, hostNames: ["netroot.example.org"],
                                                    routes: { _ in (.ok, "application/json", Array("{}".utf8)) },
                                                    stream: nil, group: group, logger: Logger(label: "test"))
        func status(_ host: String) throws -> String {
            String(try request(listen.port, "/status.json", host: host).prefix(12))
        }
        #expect(try status("127.0.0.1:\(listen.port)") == "HTTP/1.1 200")
        #expect(try status("localhost:8000") == "HTTP/1.1 200")
        #expect(try status("NETROOT.example.org") == "HTTP/1.1 200")
        #expect(try status("[::1]:9100") == "HTTP/1.1 200")
        #expect(try status("attacker.example.com:\(listen.port)") == "HTTP/1.1 421")
        #expect(try status("localhost.attacker.example.com") == "HTTP/1.1 421")
        await endpoint.stop()
        try await group.shutdownGracefully()
    }

    @Test("security headers on every answer; ?token= on the page becomes an HttpOnly cookie and leaves the URL")
    func headersAndCookie() async throws {
        let listen = Self.listen()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let endpoint = try await HTTPEndpoint.start(listen, token: AccessToken(fileContents: "t0ken\n"),
                                                    routes: { _ in (.ok, "text/plain", Array("fine\n".utf8)) },
                                                    stream: nil, group: group, logger: Logger(label: "test"))
        let refused = try request(listen.port, "/metrics").lowercased()
        for header in ["content-security-policy: default-src 'none'", "frame-ancestors 'none'",
                       "x-content-type-options: nosniff", "referrer-policy: no-referrer", "x-frame-options: deny"] {
            #expect(refused.contains(header), "\(header)")
        }
        let first = try request(listen.port, "/?token=t0ken&node=n1")
        #expect(first.hasPrefix("HTTP/1.1 303"))
        #expect(first.contains("Location: /?node=n1\r\n"))
        #expect(first.contains("Set-Cookie: netroot_token=t0ken; Path=/; HttpOnly; SameSite=Strict"))
        #expect(try request(listen.port, "/api/state", headers: "Cookie: netroot_token=t0ken\r\n").hasPrefix("HTTP/1.1 200"))
        #expect(try request(listen.port, "/api/state", headers: "Cookie: netroot_token=t0ke\r\n").hasPrefix("HTTP/1.1 401"))
        let long = "t0ken" + String(repeating: "x", count: 256)
        #expect(try request(listen.port, "/metrics", headers: "Authorization: Bearer \(long)\r\n").hasPrefix("HTTP/1.1 401"))
        await endpoint.stop()
        try await group.shutdownGracefully()
    }


    @Test("the event stream: chunked text/event-stream, what changed since the watcher's version, nothing queued")
    func stream() async throws {
        let listen = Self.listen()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let asked = NIOLockedValueBox<[UInt64]>([])
        let stream = HTTPEndpoint.EventStream(path: "/events", updates: { version in
            asked.withLockedValue { $0.append(version) }
            return version < 7 ? (7, ServerSentEvent.frame(event: "update", data: "{\"since\":\(version)}")) : (7, nil)
        }, interval: .milliseconds(20))
        let endpoint = try await HTTPEndpoint.start(listen, token: nil, routes: { _ in (.notFound, "text/plain", []) },
                                                    stream: stream, group: group, logger: Logger(label: "test"))
        // The watcher stays connected while the stream polls again (a closed connection would stop the polling
        // and leave nothing to check).
        let watcher = try openStream(listen.port, "/events?since=5")
        defer { close(watcher) }
        let reply = receive(watcher, until: "data: {\"since\":5}")
        #expect(reply.hasPrefix("HTTP/1.1 200"))
        #expect(reply.lowercased().contains("content-type: text/event-stream"))
        #expect(reply.lowercased().contains("transfer-encoding: chunked"))
        #expect(reply.contains("retry: 2000"))
        #expect(reply.contains("event: update\r\n") || reply.contains("event: update\n"))
        // Polled again at least twice after the first update (20 ms apart; 5 s at most on a busy machine).
        for _ in 0..<250 where asked.withLockedValue({ $0.count }) < 3 { try await Task.sleep(for: .milliseconds(20)) }
        let versions = asked.withLockedValue { $0 }
        #expect(versions.count >= 3, "the stream polled \(versions.count) times")
        // After the first update the watcher's version is 7: asked again with 7 only, and nothing more sent.
        #expect(versions.first == 5)
        #expect(versions.dropFirst().allSatisfy { $0 == 7 })
        let more = receive(watcher, until: nil, timeout: 0.2)
        #expect(!more.contains("data:"), "sent after the first update: \(more)")
        await endpoint.stop()
        try await group.shutdownGracefully()
    }

    /// A connected socket that has sent `GET target` (and stays open).
    private func openStream(_ port: Int, _ target: String) throws -> Int32 {
        try connect(port, sending: "GET \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    }

    /// A socket connected to 127.0.0.1:`port` that has sent `text`; the caller closes it.
    private func connect(_ port: Int, sending text: String) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(fd)
            throw POSIXError(.ECONNREFUSED)
        }
        _ = text.withCString { send(fd, $0, strlen($0), 0) }
        return fd
    }

    /// What arrives on `fd` until `until` appears, the peer closes, or `timeout` seconds pass without data.
    private func receive(_ fd: Int32, until: String?, timeout: Double = 2) -> String {
        var limit = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var reply = ""
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { break }
            reply += String(decoding: buffer[0..<count], as: UTF8.self)
            if let until, reply.contains(until) { break }
        }
        return reply
    }
}
