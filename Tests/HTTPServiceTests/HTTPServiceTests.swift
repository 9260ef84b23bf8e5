import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import Testing
@testable import HTTPService

@Suite("HTTP service: limits, timeouts, one response in flight", .serialized)
struct HTTPServiceTests {
    /// A file to serve, `size` bytes, and a route that opens it per response (counting the opens).
    /// How many times a route opened its file.
    final class Opens: Sendable {
        private let count = Mutex(0)
        func add() { count.withLock { $0 += 1 } }
        var value: Int { count.withLock { $0 } }
    }

    private static func fileRoute(size: Int, opens: Opens) throws -> (HTTPRoute, String) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("netroot-http-\(UUID()).bin").path
        FileManager.default.createFile(atPath: path, contents: Data(repeating: 0x5a, count: size))
        let route: HTTPRoute = { request in
            guard request.path == "/file" else { return .text(.ok, "hello\n") }
            let fd = open(path, O_RDONLY)
            guard fd >= 0 else { return .outOfDescriptors() }
            opens.add()
            return HTTPServiceResponse(status: .ok, body: .file(descriptor: fd, size: size))
        }
        return (route, path)
    }

    private static func start(_ limits: HTTPServiceLimits, route: @escaping HTTPRoute,
                              group: EventLoopGroup) async throws -> HTTPServer {
        try await HTTPServer.start(host: "127.0.0.1", port: 0, configuration: .init(name: "test", limits: limits),
                                   route: route, group: group, logger: Logger(label: "test"))
    }

    @Test("600 pipelined GETs on one connection that never reads: descriptors stay bounded, others still served")
    func pipelinedFlood() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let opens = Opens()
        let (route, path) = try Self.fileRoute(size: 4 << 20, opens: opens)
        defer { unlink(path) }
        var limits = HTTPServiceLimits()
        limits.pendingRequests = 1_000
        let server = try await Self.start(limits, route: route, group: group)
        let port = try #require(server.port)
        let flooder = try RawClient(port: port)
        flooder.shrinkReceiveBuffer()
        flooder.send(String(repeating: "GET /file HTTP/1.1\r\nHost: x\r\n\r\n", count: 600))
        try await Task.sleep(for: .milliseconds(700))
        let during = openDescriptors(on: path)
        // The one file being sent: nothing per queued request.
        #expect(during <= 1, "\(during) descriptors open on the file")
        #expect(opens.value == 1, "files opened: \(opens.value)")
        let other = try RawClient(port: port)
        other.send("GET /small HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        #expect(other.receive().hasSuffix("hello\n"))
        await server.stop()
        try await group.shutdownGracefully()
    }

    @Test("half a head is closed after the head timeout, a trickle does not extend it, a good client is served")
    func headTimeout() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var limits = HTTPServiceLimits()
        limits.headTimeout = .milliseconds(600)
        let server = try await Self.start(limits, route: { _ in .text(.ok, "hello\n") }, group: group)
        let port = try #require(server.port)
        let half = try RawClient(port: port)
        half.send("GET / HTTP/1.1\r\nHo")
        let trickle = try RawClient(port: port)
        let started = ContinuousClock.now
        let dripping = Task {
            for byte in "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaa" {
                trickle.send(String(byte))
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        let good = try RawClient(port: port)
        good.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        #expect(good.receive().hasSuffix("hello\n"))
        #expect(half.isClosedByPeer(within: 3))
        #expect(trickle.isClosedByPeer(within: 3))
        let took = ContinuousClock.now - started
        #expect(took < .milliseconds(1_800), "the trickle held the connection for \(took)")
        dripping.cancel()
        await server.stop()
        try await group.shutdownGracefully()
    }

    @Test("keep-alive: two requests on one connection, then closed after the idle timeout")
    func keepAliveAndIdle() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var limits = HTTPServiceLimits()
        limits.idleTimeout = .milliseconds(500)
        let server = try await Self.start(limits, route: { _ in .text(.ok, "hello\n") }, group: group)
        let client = try RawClient(port: try #require(server.port))
        client.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n")
        let replies = client.receive(until: "hello\nHTTP/1.1 200 OK")
        #expect(replies.components(separatedBy: "HTTP/1.1 200 OK").count == 3, "\(replies)")
        #expect(client.isClosedByPeer(within: 3))
        await server.stop()
        try await group.shutdownGracefully()
    }

    @Test("at the per-client limit the oldest waiting connection makes room; busy ones are never closed")
    func perClientLimit() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var limits = HTTPServiceLimits()
        limits.connectionsPerClient = 3
        let server = try await Self.start(limits, route: { _ in .text(.ok, "hello\n") }, group: group)
        let port = try #require(server.port)
        let idle = try (0..<3).map { _ in try RawClient(port: port) }
        try await Task.sleep(for: .milliseconds(100))
        #expect(server.openConnections == 3)
        let good = try RawClient(port: port)
        good.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        #expect(good.receive().hasSuffix("hello\n"))
        #expect(idle[0].isClosedByPeer(within: 2))
        try await Task.sleep(for: .milliseconds(100))
        #expect(server.openConnections <= 3)
        await server.stop()
        try await group.shutdownGracefully()
    }

    @Test("over the per-client limit with every connection busy: 503 at once, never a connection left hanging")
    func refusedWhenAllBusy() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let opens = Opens()
        let (route, path) = try Self.fileRoute(size: 16 << 20, opens: opens)
        defer { unlink(path) }
        var limits = HTTPServiceLimits()
        limits.connectionsPerClient = 2
        let server = try await Self.start(limits, route: route, group: group)
        let port = try #require(server.port)
        // Two clients that ask for a large file and never read: both connections stay busy answering.
        let busy = try (0..<2).map { _ in try RawClient(port: port) }
        for client in busy {
            client.shrinkReceiveBuffer()
            client.send("GET /file HTTP/1.1\r\nHost: x\r\n\r\n")
        }
        try await Task.sleep(for: .milliseconds(300))
        let third = try RawClient(port: port)
        third.send("GET /small HTTP/1.1\r\nHost: x\r\n\r\n")
        let reply = third.receive()
        #expect(reply.hasPrefix("HTTP/1.1 503"), "\(reply.prefix(40))")
        #expect(third.isClosedByPeer(within: 1))
        await server.stop()
        try await group.shutdownGracefully()
    }

    @Test("Range and HEAD on a file: 206 with Content-Range, HEAD with the length and no body, 416 past the end")
    func rangeAndHead() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let opens = Opens()
        let (route, path) = try Self.fileRoute(size: 1000, opens: opens)
        defer { unlink(path) }
        let server = try await Self.start(HTTPServiceLimits(), route: route, group: group)
        let port = try #require(server.port)
        let ranged = try RawClient(port: port)
        ranged.send("GET /file HTTP/1.1\r\nHost: x\r\nRange: bytes=990-\r\nConnection: close\r\n\r\n")
        let part = ranged.receive()
        #expect(part.hasPrefix("HTTP/1.1 206"))
        #expect(part.lowercased().contains("content-range: bytes 990-999/1000"))
        #expect(part.hasSuffix("\r\n\r\nZZZZZZZZZZ"))
        let head = try RawClient(port: port)
        head.send("HEAD /file HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let headers = head.receive()
        #expect(headers.lowercased().contains("content-length: 1000"))
        #expect(headers.hasSuffix("\r\n\r\n"))
        let past = try RawClient(port: port)
        past.send("GET /file HTTP/1.1\r\nHost: x\r\nRange: bytes=1000-\r\nConnection: close\r\n\r\n")
        #expect(past.receive().hasPrefix("HTTP/1.1 416"))
        await server.stop()
        try await group.shutdownGracefully()
    }

    @Test("out of descriptors: 503 with Retry-After, the service keeps serving")
    func outOfDescriptors() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let server = try await Self.start(HTTPServiceLimits(), route: { _ in .outOfDescriptors() }, group: group)
        let client = try RawClient(port: try #require(server.port))
        client.send("GET /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let reply = client.receive()
        #expect(reply.hasPrefix("HTTP/1.1 503"))
        #expect(reply.lowercased().contains("retry-after: 1"))
        await server.stop()
        try await group.shutdownGracefully()
    }
}
