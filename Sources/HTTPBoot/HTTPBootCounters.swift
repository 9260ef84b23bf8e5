import Synchronization

/// What the HTTP boot service did, for `/metrics`: requests by status code, bytes sent, connections open.
public final class HTTPBootCounters: Sendable {
    public struct Snapshot: Sendable {
        public var responses: [Int: Int] = [:]
        public var bytesSent = 0
        public var openConnections = 0
    }

    private let state = Mutex(Snapshot())
    private let connectionCount = Mutex<(@Sendable () -> Int)?>(nil)

    public init() {}

    public var snapshot: Snapshot {
        var snapshot = state.withLock { $0 }
        snapshot.openConnections = connectionCount.withLock { $0?() } ?? 0
        return snapshot
    }

    /// Where the open connections are counted (the HTTP service's admission gate).
    var connections: (@Sendable () -> Int)? {
        get { connectionCount.withLock { $0 } }
        set { connectionCount.withLock { $0 = newValue } }
    }

    func responded(status: Int, bytes: Int) {
        state.withLock {
            $0.responses[status, default: 0] += 1
            $0.bytesSent += bytes
        }
    }
}
