import Glibc
import IPMI

/// Why the transport could not do what was asked.
public enum IPMIClientError: Error, Equatable, CustomStringConvertible {
    case address(String)
    case socket(String)
    case session(SessionError)
    /// The caller's overall time limit passed while the session was in `phase`.
    case deadline(phase: SessionPhase)
    case unexpected(String)

    public var description: String {
        switch self {
        case .address(let text): "not an IPv4 address: \(text)"
        case .socket(let what): what
        case .session(let error): error.description
        case .deadline(let phase): "no answer from the BMC within the time limit (the session was at \(phase))"
        case .unexpected(let what): what
        }
    }
}

/// Runs one `Session` over a connected UDP socket, blocking the calling thread: the thin I/O beside the pure
/// state machine. One instance per BMC; not shared between threads.
public final class UDPSessionRunner {
    private var session: Session
    private let descriptor: Int32
    private let clock = ContinuousClock()
    /// Past this instant every call throws `.deadline`, whatever the session's own retries would still allow.
    private let giveUpAt: ContinuousClock.Instant?

    /// A socket connected to `host:port` (IPv4 dotted quad); nothing is sent yet.
    public init(host: String, port: UInt16, configuration: SessionConfiguration,
                random: @escaping RandomBytes = Session.systemRandom, giveUpAt: ContinuousClock.Instant? = nil) throws {
        self.giveUpAt = giveUpAt
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { throw IPMIClientError.address(host) }
        let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { throw IPMIClientError.socket("socket: \(String(cString: strerror(errno)))") }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(descriptor)
            throw IPMIClientError.socket("connect to \(host):\(port): \(reason)")
        }
        self.descriptor = descriptor
        session = Session(configuration: configuration, random: random)
    }

    deinit { Glibc.close(descriptor) }

    /// Runs the handshake until the session is active.
    public func open() throws {
        let actions = session.start(now: clock.now)
        guard case .established = try run(actions) else { throw IPMIClientError.unexpected("no session") }
    }

    /// One command and its response (any completion code; the caller judges it).
    public func send(_ request: IPMIRequest) throws -> IPMIResponse {
        let actions = session.send(request, now: clock.now)
        guard case .response(let response) = try run(actions) else {
            throw IPMIClientError.unexpected("no response to \(request.name)")
        }
        return response
    }

    /// Closes the session (best effort: a BMC that does not answer the close is not an error here).
    public func close() {
        _ = try? run(session.close(now: clock.now))
    }

    /// Performs actions, then waits for datagrams or deadlines until the session reports something.
    private func run(_ first: [Session.Action]) throws -> Session.Action {
        var actions = first
        while true {
            for action in actions {
                switch action {
                case .send(let bytes):
                    _ = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, 0) }
                case .failed(let error):
                    throw IPMIClientError.session(error)
                case .established, .response, .closed:
                    return action
                }
            }
            guard let deadline = session.deadline else { throw IPMIClientError.unexpected("session is idle") }
            let wait = giveUpAt.map { min($0, deadline) } ?? deadline
            if let giveUpAt, clock.now >= giveUpAt { throw IPMIClientError.deadline(phase: session.phase) }
            actions = waitForDatagram(until: wait).map { session.receive($0, now: clock.now) }
                ?? session.tick(now: clock.now)
        }
    }

    /// The next datagram before `deadline`, or nil when it passes.
    private func waitForDatagram(until deadline: ContinuousClock.Instant) -> [UInt8]? {
        let remaining = clock.now.duration(to: deadline)
        let milliseconds = max(0, Int32(clamping: remaining.components.seconds * 1000
                                        + remaining.components.attoseconds / 1_000_000_000_000_000))
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, milliseconds) > 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 1024)
        let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        // An ICMP error (ECONNREFUSED) or an empty read: treat as nothing arrived yet; the deadline still holds.
        guard count > 0 else { return [] }
        return Array(buffer.prefix(count))
    }
}
