import BootTimeline
import Foundation
import Inventory
import NIOCore
import NIOHTTP1
import NIOPosix
import TFTP

/// One connection: each request answered in turn (pipelining kept in order by NIO's assistant), files sent
/// with sendfile from a descriptor opened beneath the root, every response recorded in the client's timeline.
final class HTTPBootHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let context: HTTPBootContext
    private var request: HTTPRequestHead?

    init(context: HTTPBootContext) { self.context = context }

    func channelActive(context: ChannelHandlerContext) {
        self.context.counters.connection(opened: true)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.context.counters.connection(opened: false)
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent { context.close(promise: nil) } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): request = head
        case .body: break // GET and HEAD carry none worth reading; a body is read and dropped.
        case .end:
            guard let head = request else { return }
            request = nil
            respond(to: head, context: context)
        }
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let started = Date().timeIntervalSince1970
        let client = Self.clientAddress(context.channel.remoteAddress)
        guard head.method == .GET || head.method == .HEAD else {
            sendText(.methodNotAllowed, "GET and HEAD only\n", head: head, extra: [("Allow", "GET, HEAD")],
                     context: context, started: started, client: client, step: head.uri)
            return
        }
        let rawPath = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        guard let path = BootRequestRouter.percentDecoded(rawPath) else {
            sendText(.badRequest, "bad path\n", head: head, context: context, started: started, client: client,
                     step: String(rawPath.prefix(200)))
            return
        }
        let inventory = self.context.snapshots.current.inventory
        switch BootRequestRouter.resource(for: path, inventory: inventory, baseURL: self.context.baseURL) {
        case .notFound(let reason):
            sendText(.notFound, "not found: \(reason)\n", head: head, context: context, started: started,
                     client: client, step: path)
        case .script(_, let text):
            sendText(.ok, text, head: head, type: "text/plain; charset=utf-8", context: context, started: started,
                     client: client, step: path)
        case .file(let name):
            switch self.context.root.openFile(name) {
            case .failure(let refusal):
                let status: HTTPResponseStatus = refusal == .notFound ? .notFound : .forbidden
                sendText(status, "\(refusal.message)\n", head: head, context: context, started: started,
                         client: client, step: path)
            case .success(let file):
                sendFile(file, head: head, context: context, started: started, client: client, step: path)
            }
        }
    }

    private func sendFile(_ file: RootDirectory.OpenedFile, head: HTTPRequestHead, context: ChannelHandlerContext,
                          started: Double, client: String?, step: String) {
        let handle = NIOFileHandle(_deprecatedTakingOwnershipOfDescriptor: file.descriptor)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/octet-stream")
        headers.add(name: "Accept-Ranges", value: "bytes")
        let range = RangeAnswer(header: head.headers.first(name: "Range"), size: file.size)
        let status: HTTPResponseStatus
        let first: Int
        let last: Int
        switch range {
        case .unsatisfiable:
            try? handle.close()
            sendText(.rangeNotSatisfiable, "range not satisfiable\n", head: head,
                     extra: [("Content-Range", "bytes */\(file.size)")], context: context, started: started,
                     client: client, step: step)
            return
        case .whole:
            (status, first, last) = (.ok, 0, file.size - 1)
        case .part(let from, let to):
            (status, first, last) = (.partialContent, from, to)
            headers.add(name: "Content-Range", value: "bytes \(from)-\(to)/\(file.size)")
        }
        let length = max(0, last - first + 1)
        headers.add(name: "Content-Length", value: "\(length)")
        let keepAlive = head.isKeepAlive
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status,
                                                             headers: headers))), promise: nil)
        if head.method == .GET, length > 0 {
            // Pieces of at most 1 MiB: the idle handler counts a write when it completes, and one region of a whole
            // initrd still going after 60 s (a slow link, a storm of nodes) would close the connection mid-file.
            for start in stride(from: first, to: first + length, by: Self.regionSize) {
                let region = FileRegion(fileHandle: handle, readerIndex: start,
                                        endIndex: min(start + Self.regionSize, first + length))
                context.write(wrapOutboundOut(.body(.fileRegion(region))), promise: nil)
            }
        }
        let sent = head.method == .GET ? length : 0
        finish(context: context, keepAlive: keepAlive, status: status, bytes: sent, started: started, client: client,
               step: step, range: status == .partialContent ? "bytes \(first)-\(last)" : nil) {
            try? handle.close()
        }
    }

    /// The largest piece of a file written at once (sendfile): it completes well within the idle timeout.
    static let regionSize = 1 << 20

    private func sendText(_ status: HTTPResponseStatus, _ text: String, head: HTTPRequestHead,
                          type: String = "text/plain; charset=utf-8", extra: [(String, String)] = [],
                          context: ChannelHandlerContext, started: Double, client: String?, step: String) {
        let body = Array(text.utf8)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: type)
        headers.add(name: "Content-Length", value: "\(body.count)")
        for (name, value) in extra { headers.add(name: name, value: value) }
        let keepAlive = head.isKeepAlive
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status,
                                                             headers: headers))), promise: nil)
        if head.method != .HEAD {
            var buffer = context.channel.allocator.buffer(capacity: body.count)
            buffer.writeBytes(body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        finish(context: context, keepAlive: keepAlive, status: status, bytes: head.method == .HEAD ? 0 : body.count,
               started: started, client: client, step: step, range: nil) {}
    }

    /// Ends the response; once it is on the wire, records it, releases what it held, and closes if asked.
    private func finish(context: ChannelHandlerContext, keepAlive: Bool, status: HTTPResponseStatus, bytes: Int,
                        started: Double, client: String?, step: String, range: String?,
                        release: @escaping @Sendable () -> Void) {
        let channel = context.channel
        let shared = self.context
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { result in
            release()
            let completed = (try? result.get()) != nil
            shared.counters.responded(status: Int(status.code), bytes: completed ? bytes : 0)
            Self.record(status: status, bytes: bytes, completed: completed, started: started, client: client,
                        step: step, range: range, context: shared)
            if !keepAlive || !completed { channel.close(promise: nil) }
        }
    }

    /// One timeline step per response: file, status, size, duration, throughput.
    private static func record(status: HTTPResponseStatus, bytes: Int, completed: Bool, started: Double,
                               client: String?, step: String, range: String?, context: HTTPBootContext) {
        guard let client else { return }
        let elapsed = Date().timeIntervalSince1970 - started
        var detail = "HTTP \(status.code)"
        if bytes == 0, status.code < 300 {
            detail += " (headers only)"
        } else if status.code < 300 {
            detail += ", \(TimelineReport.size(bytes)) in \(TimelineReport.seconds(elapsed))"
            if elapsed > 0.05, bytes > 1 << 20 {
                detail += String(format: " (%.1f MB/s)", Double(bytes) / elapsed / 1e6)
            }
            if let range { detail += ", \(range)" }
        }
        if !completed { detail += ", connection lost before the end" }
        let ok = completed && status.code < 400
        // Named as TFTP names files (relative to the root), so the timeline and the doctor read both alike.
        let name = step.drop { $0 == "/" }
        let event = BootEvent(time: Date().timeIntervalSince1970, service: .http, step: String(name.prefix(200)),
                              detail: detail, outcome: ok ? .ok : .failed)
        let node = IPv4Address(client).flatMap { context.snapshots.current.inventory.profile(ip: $0)?.name }
        context.timeline.record(event, from: client, node: node)
    }

    private static func clientAddress(_ address: SocketAddress?) -> String? {
        guard let address, case .v4 = address else { return address?.ipAddress }
        return address.ipAddress
    }
}
