import Synchronization

/// What the HTTP boot service did, for `/metrics`: requests by status code, bytes sent, connections open.
public final class HTTPBootCounters: Sendable {
    public struct Snapshot: Sendable {
        public var responses: [Int: Int] = [:]
        public var bytesSent = 0
        public var openConnections = 0
    }

    private let state = Mutex(Snapshot())

    public init() {}

    public var snapshot: Snapshot { state.withLock { $0 } }

    func responded(status: Int, bytes: Int) {
        state.withLock {
            $0.responses[status, default: 0] += 1
            $0.bytesSent += bytes
        }
    }

    func connection(opened: Bool) {
        state.withLock { $0.openConnections += opened ? 1 : -1 }
    }
}
