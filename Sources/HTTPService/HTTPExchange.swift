import NIOCore
import NIOHTTP1

/// One request as a route sees it: its head, its path and query as sent (not decoded), and the client's address.
public struct HTTPServiceRequest: Sendable {
    public let head: HTTPRequestHead
    /// The target before `?`, still percent-encoded.
    public let path: String
    /// The target after `?`, if any.
    public let query: String?
    /// The client's IP address as text (IPv4 or IPv6), when known.
    public let clientAddress: String?

    public init(head: HTTPRequestHead, clientAddress: String?) {
        self.head = head
        let parts = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        path = String(parts.first ?? "")
        query = parts.count > 1 ? String(parts[1]) : nil
        self.clientAddress = clientAddress
    }
}

/// What a route answers; the service adds Content-Length, Connection, Range handling for files and HEAD.
public struct HTTPServiceResponse: Sendable {
    /// A body: bytes in memory, an open file (the service closes it), or a Server-Sent Events stream.
    public enum Body: Sendable {
        case bytes([UInt8])
        /// A regular file's descriptor and size, opened by the route when this response starts; sent with sendfile,
        /// honouring `Range`.
        case file(descriptor: CInt, size: Int)
        case events(HTTPEventStream)
    }

    public var status: HTTPResponseStatus
    public var headers: [(String, String)]
    public var body: Body
    /// Logged through the service's throttle (a load problem the administrator must see, once, not per request).
    public var warning: String?
    /// Called once the response is on the wire, or has failed.
    public var finished: (@Sendable (HTTPServiceOutcome) -> Void)?

    public init(status: HTTPResponseStatus, headers: [(String, String)] = [], body: Body,
                finished: (@Sendable (HTTPServiceOutcome) -> Void)? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
        self.finished = finished
    }

    /// A plain-text answer.
    public static func text(_ status: HTTPResponseStatus, _ text: String, headers: [(String, String)] = [],
                            finished: (@Sendable (HTTPServiceOutcome) -> Void)? = nil) -> HTTPServiceResponse {
        HTTPServiceResponse(status: status, headers: [("Content-Type", "text/plain; charset=utf-8")] + headers,
                            body: .bytes(Array(text.utf8)), finished: finished)
    }

    /// 503 when the process or the system has no file descriptor left (EMFILE, ENFILE): logged once, not per request.
    public static func outOfDescriptors(finished: (@Sendable (HTTPServiceOutcome) -> Void)? = nil) -> HTTPServiceResponse {
        var response = text(.serviceUnavailable, "server busy: out of file descriptors\n", headers: [("Retry-After", "1")],
                            finished: finished)
        response.warning = "out of file descriptors (EMFILE/ENFILE): answering 503; raise LimitNOFILE= or lower the "
            + "connection limits"
        return response
    }
}

/// How a response ended, for the route's records: status, body bytes written, whole or not, how long it took.
public struct HTTPServiceOutcome: Sendable {
    public let status: HTTPResponseStatus
    /// Body bytes the response carried (0 for HEAD); what reached the client when `completed`.
    public let bytes: Int
    /// Whether the whole response was written.
    public let completed: Bool
    /// From the start of the response to its end, on the monotonic clock.
    public let duration: TimeAmount
    /// The part of a file sent for a 206.
    public let range: ClosedRange<Int>?
}

/// A Server-Sent Events stream: `updates(version)` gives what changed after the version a watcher has seen
/// (nil: nothing) and the version it has seen then. Each watcher is polled every `interval`, so a storm of
/// changes between two polls goes out as one event, and nothing is queued for a slow watcher.
public struct HTTPEventStream: Sendable {
    public var since: UInt64
    public var updates: @Sendable (UInt64) -> (UInt64, [UInt8]?)
    public var interval: TimeAmount
    public var heartbeat: TimeAmount
    /// Sent first: the client's reconnection delay (`retry:`).
    public var preamble: [UInt8]
    /// Sent when nothing else went out for `heartbeat`: a comment line that keeps proxies from closing.
    public var heartbeatFrame: [UInt8]

    public init(since: UInt64, updates: @escaping @Sendable (UInt64) -> (UInt64, [UInt8]?),
                interval: TimeAmount = .milliseconds(300), heartbeat: TimeAmount = .seconds(15),
                preamble: [UInt8], heartbeatFrame: [UInt8]) {
        self.since = since
        self.updates = updates
        self.interval = interval
        self.heartbeat = heartbeat
        self.preamble = preamble
        self.heartbeatFrame = heartbeatFrame
    }
}
