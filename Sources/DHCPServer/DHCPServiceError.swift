/// Why the DHCP service could not open its socket, in one line naming the port and interface.
public struct DHCPServiceError: Error, CustomStringConvertible, Sendable {
    public let description: String
}
