import CSyscalls
import Inventory
import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// A transfer's own UDP port, as two sockets: one connected to the client (its ACKs reach it without a route
/// lookup, and DATA leaves without one), and one that hears everyone else, so a stranger's packet is answered
/// with error 5 (RFC 1350 §4) and never reaches the transfer.
struct TransferSockets: Sendable {
    let transfer: Int32
    let strangers: Int32

    /// Both sockets on a new port of `address`.
    static func open(address: IPv4Address) throws -> TransferSockets {
        var sockets: [Int32] = [-1, -1]
        guard netroot_transfer_socket_pair(address.value.bigEndian, &sockets) == 0 else {
            throw TFTPServerError(call: "sockets for a transfer")
        }
        return TransferSockets(transfer: sockets[0], strangers: sockets[1])
    }

    /// Connects the transfer's socket to `client`, before anything is sent to it.
    func connect(to client: TFTPClient) throws {
        guard netroot_connect(transfer, client.address.value.bigEndian, client.port.bigEndian) == 0 else {
            throw TFTPServerError(call: "connect")
        }
    }

    func close() {
        _ = Glibc.close(transfer)
        _ = Glibc.close(strangers)
    }
}
