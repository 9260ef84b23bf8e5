import NIOCore

/// How many connections a listener holds and how long it waits for each; the defaults fit a 1,000-node rack.
public struct HTTPServiceLimits: Sendable, Equatable {
    /// Connections open at once, all clients together (each node of a booting rack holds one).
    public var connections = 4_096
    /// Connections open at once from one client address: a node holds one, a browser about six, a load test or a
    /// NAT gateway more.
    public var connectionsPerClient = 128
    /// From the first byte of a request until its head and body are complete; also a new connection's wait for its
    /// first byte. A trickle does not extend it.
    public var headTimeout: TimeAmount = .seconds(10)
    /// A kept-alive connection's wait for the next request's first byte, counted from the end of the last response.
    public var idleTimeout: TimeAmount = .seconds(60)
    /// A response that makes no write progress (no piece of at most `writePiece` acknowledged) for this long.
    public var writeTimeout: TimeAmount = .seconds(60)
    /// Requests a pipelining client may queue before the connection is closed (they are parsed, never opened).
    public var pendingRequests = 128

    public init() {}

    public init(connections: Int, connectionsPerClient: Int, headTimeout: TimeAmount = .seconds(10),
                idleTimeout: TimeAmount = .seconds(60)) {
        self.connections = connections
        self.connectionsPerClient = connectionsPerClient
        self.headTimeout = headTimeout
        self.idleTimeout = idleTimeout
    }
}
