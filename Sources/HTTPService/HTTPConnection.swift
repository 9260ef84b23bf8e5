import NIOCore
import NIOHTTP1

/// One connection's requests, answered one at a time: a request is parsed and queued, its route is asked (and its
/// file opened) only when the response before it has been written, and reads stop while a response is in flight.
/// Three clocks close a connection: the head timeout from a request's first byte (a trickle does not extend it),
/// the idle timeout between requests, and the write timeout while a response makes no progress.
final class HTTPConnection: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// The largest piece of a file written at once (sendfile): each completes well within the write timeout.
    static let writePiece = 1 << 20
    /// A GET or HEAD carries no body worth reading; more than this closes the connection.
    static let largestBody = 64 << 10

    private let service: HTTPServiceContext
    private let gate: ReadGate
    private var context: ChannelHandlerContext?
    private var queue = CircularBuffer<HTTPRequestHead>()
    private var partial: HTTPRequestHead?
    private var bodyBytes = 0
    private var responding = false
    /// Bytes of a request have arrived since the last response ended (or since the connection opened).
    private var receiving = false
    /// No request answered yet: the connection's own head timeout, armed when it opened, already counts.
    private var fresh = true
    private var deadline: Scheduled<Void>?
    private var ticker: RepeatedTask?

    init(service: HTTPServiceContext, gate: ReadGate) {
        self.service = service
        self.gate = gate
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        gate.bytesArrived = { [unowned self] in self.bytesArrived() }
        arm(service.limits.headTimeout)
    }

    /// The handler keeps its context (timers and writes need it); the pipeline's teardown breaks that cycle here.
    func handlerRemoved(context: ChannelHandlerContext) {
        stopClocks()
        queue.removeAll()
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        stopClocks()
        service.gate.release(context.channel)
        context.fireChannelInactive()
    }

    /// No timer or stream poll outlives the connection, and the read gate no longer calls back.
    private func stopClocks() {
        deadline?.cancel()
        deadline = nil
        ticker?.cancel()
        ticker = nil
        gate.bytesArrived = nil
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // A malformed request (the protocol error handler has answered 400) or a socket error: nothing more to do.
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            guard queue.count < service.limits.pendingRequests else {
                service.warn("pipelined requests", "a client queued more than \(service.limits.pendingRequests) "
                             + "requests on one connection: closed")
                return context.close(promise: nil)
            }
            partial = head
            bodyBytes = 0
        case .body(let buffer):
            bodyBytes += buffer.readableBytes
            if bodyBytes > Self.largestBody { context.close(promise: nil) }
        case .end:
            guard let head = partial else { return }
            partial = nil
            queue.append(head)
            if !responding { startNext() }
        }
    }

    private func bytesArrived() {
        guard !responding, !receiving else { return }
        receiving = true
        if fresh { return }
        arm(service.limits.headTimeout)
    }

    /// Closes the connection when `timeout` passes before the deadline is moved or cancelled.
    private func arm(_ timeout: TimeAmount) {
        deadline?.cancel()
        guard let context else { return }
        let channel = context.channel
        deadline = context.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
    }

    private func startNext() {
        guard let context, let head = queue.popFirst() else { return }
        responding = true
        receiving = false
        fresh = false
        gate.pause()
        service.gate.setWaiting(context.channel, false)
        arm(service.limits.writeTimeout)
        let request = HTTPServiceRequest(head: head, clientAddress: context.channel.remoteAddress?.ipAddress)
        let response = service.route(request)
        if let warning = response.warning { service.warn(warning, warning) }
        write(response, to: head, context: context)
    }

    private func write(_ response: HTTPServiceResponse, to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let started = NIODeadline.now()
        var headers = HTTPHeaders(service.commonHeaders)
        for (name, value) in response.headers { headers.replaceOrAdd(name: name, value: value) }
        let keepAlive = head.isKeepAlive
        switch response.body {
        case .bytes(let body):
            headers.replaceOrAdd(name: "Content-Length", value: "\(body.count)")
            headers.replaceOrAdd(name: "Connection", value: keepAlive ? "keep-alive" : "close")
            writeHead(response.status, headers, head, context)
            let sent = head.method == .HEAD ? 0 : body.count
            if sent > 0 {
                var buffer = context.channel.allocator.buffer(capacity: body.count)
                buffer.writeBytes(body)
                context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
            }
            finish(response, status: response.status, bytes: sent, range: nil, keepAlive: keepAlive,
                   started: started, context: context) {}
        case .file(let descriptor, let size):
            writeFile(response, descriptor: descriptor, size: size, headers: headers, head: head, keepAlive: keepAlive,
                      started: started, context: context)
        case .events(let stream):
            headers.replaceOrAdd(name: "Content-Type", value: "text/event-stream")
            headers.replaceOrAdd(name: "Cache-Control", value: "no-store")
            headers.replaceOrAdd(name: "X-Accel-Buffering", value: "no")
            writeHead(response.status, headers, head, context)
            startStream(stream, context: context)
        }
    }

    private func writeFile(_ response: HTTPServiceResponse, descriptor: CInt, size: Int, headers: HTTPHeaders,
                           head: HTTPRequestHead, keepAlive: Bool, started: NIODeadline, context: ChannelHandlerContext) {
        let handle = NIOFileHandle(_deprecatedTakingOwnershipOfDescriptor: descriptor)
        var headers = headers
        headers.replaceOrAdd(name: "Accept-Ranges", value: "bytes")
        let status: HTTPResponseStatus
        let first: Int
        let last: Int
        switch RangeAnswer(header: head.headers.first(name: "Range"), size: size) {
        case .unsatisfiable:
            try? handle.close()
            var refusal = HTTPServiceResponse.text(.rangeNotSatisfiable, "range not satisfiable\n",
                                                   headers: [("Content-Range", "bytes */\(size)")])
            refusal.finished = response.finished
            return write(refusal, to: head, context: context)
        case .whole:
            (status, first, last) = (.ok, 0, size - 1)
        case .part(let from, let to):
            (status, first, last) = (.partialContent, from, to)
            headers.replaceOrAdd(name: "Content-Range", value: "bytes \(from)-\(to)/\(size)")
        }
        let length = max(0, last - first + 1)
        headers.replaceOrAdd(name: "Content-Length", value: "\(length)")
        headers.replaceOrAdd(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        writeHead(status, headers, head, context)
        if head.method != .HEAD, length > 0 {
            let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
            let writeTimeout = service.limits.writeTimeout
            for start in stride(from: first, to: first + length, by: Self.writePiece) {
                let region = FileRegion(fileHandle: handle, readerIndex: start,
                                        endIndex: min(start + Self.writePiece, first + length))
                let progress = context.eventLoop.makePromise(of: Void.self)
                progress.futureResult.whenSuccess { bound.value.arm(writeTimeout) }
                context.write(wrapOutboundOut(.body(.fileRegion(region))), promise: progress)
            }
        }
        let sent = head.method == .HEAD ? 0 : length
        finish(response, status: status, bytes: sent, range: status == .partialContent ? first...last : nil,
               keepAlive: keepAlive, started: started, context: context) { try? handle.close() }
    }

    private func writeHead(_ status: HTTPResponseStatus, _ headers: HTTPHeaders, _ head: HTTPRequestHead,
                           _ context: ChannelHandlerContext) {
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))),
                      promise: nil)
    }

    /// Ends the response; once it is on the wire: releases what it held, reports it, and takes the next request
    /// (or closes, when the client asked to or the write failed).
    private func finish(_ response: HTTPServiceResponse, status: HTTPResponseStatus, bytes: Int,
                        range: ClosedRange<Int>?, keepAlive: Bool, started: NIODeadline,
                        context: ChannelHandlerContext, release: @escaping @Sendable () -> Void) {
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let channel = context.channel
        let finished = response.finished
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { result in
            release()
            let completed = (try? result.get()) != nil
            finished?(HTTPServiceOutcome(status: status, bytes: bytes, completed: completed,
                                         duration: NIODeadline.now() - started, range: range))
            guard completed, keepAlive else { return channel.close(promise: nil) }
            bound.value.responseEnded()
        }
    }

    private func responseEnded() {
        guard let context, context.channel.isActive else { return }
        responding = false
        service.gate.setWaiting(context.channel, true)
        if !queue.isEmpty { return startNext() }
        if partial != nil {
            receiving = true
            arm(service.limits.headTimeout)
        } else {
            arm(service.limits.idleTimeout)
        }
        gate.resume()
    }

    /// text/event-stream, chunked; polled on the connection's own event loop, so nothing is queued for a slow
    /// watcher: while its socket is full, its version stays behind and the next poll sends everything since. The
    /// write timeout closes a watcher whose socket stays full.
    private func startStream(_ stream: HTTPEventStream, context: ChannelHandlerContext) {
        let channel = context.channel
        let loop = context.eventLoop
        let bound = NIOLoopBound(self, eventLoop: loop)
        let writeTimeout = service.limits.writeTimeout
        @Sendable func send(_ bytes: [UInt8]) {
            var buffer = channel.allocator.buffer(capacity: bytes.count)
            buffer.writeBytes(bytes)
            channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(buffer))).whenSuccess {
                bound.value.arm(writeTimeout)
            }
        }
        context.flush()
        send(stream.preamble)
        let state = NIOLoopBoundBox((version: stream.since, lastWrite: NIODeadline.now()), eventLoop: loop)
        ticker = loop.scheduleRepeatedTask(initialDelay: .zero, delay: stream.interval) { _ in
            guard channel.isActive, channel.isWritable else { return }
            let (version, bytes) = stream.updates(state.value.version)
            state.value.version = version
            if let bytes {
                send(bytes)
                state.value.lastWrite = .now()
            } else if NIODeadline.now() - state.value.lastWrite >= stream.heartbeat {
                send(stream.heartbeatFrame)
                state.value.lastWrite = .now()
            }
        }
    }
}
