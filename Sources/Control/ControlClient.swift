import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `netroot status`'s side of the control socket: blocking, one request, one reply.
public enum ControlClient {
    /// Why the server could not be asked.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public static func status(socketPath: String, node: String?) throws -> ControlProtocol.StatusReply {
        try request((node.map { "status \($0)" } ?? "status") + "\n", socketPath: socketPath)
    }

    /// Hands BMC actions to the running server's boot timeline.
    public static func recordPower(_ record: ControlProtocol.PowerRecord, socketPath: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(record), as: UTF8.self)
        let reply = try request("power \(json)\n", socketPath: socketPath)
        if let error = reply.error { throw Failure(description: error) }
    }

    private static func request(_ line: String, socketPath: String) throws -> ControlProtocol.StatusReply {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        guard let address = UnixSocketAddress(socketPath) else {
            throw Failure(description: "socket path too long: \(socketPath)")
        }
        let connected = address.withSockaddr { connect(descriptor, $0, $1) }
        guard connected == 0 else {
            let reason = String(cString: strerror(errno))
            throw Failure(description: "cannot reach the server at \(socketPath): \(reason) (is `netroot serve` running?)")
        }
        let request = Array(line.utf8)
        guard write(descriptor, request, request.count) == request.count else {
            throw Failure(description: "cannot send to \(socketPath): \(String(cString: strerror(errno)))")
        }
        var reply: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            reply += chunk[..<count]
        }
        do {
            return try JSONDecoder().decode(ControlProtocol.StatusReply.self, from: Data(reply))
        } catch {
            throw Failure(description: "unreadable reply from \(socketPath): \(error)")
        }
    }
}
