import Inventory

/// Where a reply goes, by RFC 2131 §4.1.
public enum Delivery: Sendable, Equatable {
    /// To the relay agent's port 67 (`giaddr` was set).
    case relay(IPv4Address)
    /// To the client's own address, port 68 (`ciaddr` was set).
    case unicast(IPv4Address)
    /// To 255.255.255.255:68 (broadcast flag, or a NAK without relay).
    case broadcast
    /// A client without an address that did not ask for broadcast: an Ethernet frame to its MAC,
    /// addressed to the address being offered. PXE ROMs rely on this.
    case link(mac: MACAddress, address: IPv4Address)

    /// The delivery RFC 2131 §4.1 prescribes for `reply` answering `request`.
    public static func forReply(_ reply: DHCPMessage, to request: DHCPMessage) -> Delivery {
        if request.giaddr.value != 0 { return .relay(request.giaddr) }
        if reply.options.messageType == .nak { return .broadcast }
        if request.ciaddr.value != 0 { return .unicast(request.ciaddr) }
        if request.broadcastFlag { return .broadcast }
        guard let mac = request.clientMAC, reply.yiaddr.value != 0 else { return .broadcast }
        return .link(mac: mac, address: reply.yiaddr)
    }
}
