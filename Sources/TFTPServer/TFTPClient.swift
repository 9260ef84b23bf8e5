import Inventory

/// A TFTP client as the kernel names it: IPv4 address and UDP port, kept as numbers from the request to the
/// transfer's socket; formatted only for log lines and the timeline.
struct TFTPClient: Hashable, Sendable, CustomStringConvertible {
    let address: IPv4Address
    /// Host byte order.
    let port: UInt16

    /// From the numbers recvfrom gives (network byte order).
    init(networkAddress: UInt32, networkPort: UInt16) {
        address = IPv4Address(UInt32(bigEndian: networkAddress))
        port = UInt16(bigEndian: networkPort)
    }

    var description: String { "\(address):\(port)" }
}
