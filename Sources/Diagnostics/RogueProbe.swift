import DHCP
import Inventory

/// The active rogue-DHCP probe (pure): the DISCOVER netroot broadcasts from a MAC of its own, and the verdict
/// on each reply. On a switch port, another server's OFFER to a client without the broadcast flag goes to that
/// client's port only; an OFFER to the probe comes back broadcast, so every server on the segment shows itself.
public enum RogueProbe {
    /// One round of the probe: the MAC it asks from and the transaction ID servers must echo.
    public struct Round: Sendable, Equatable {
        public var mac: MACAddress
        public var xid: UInt32

        public init(mac: MACAddress, xid: UInt32) {
            self.mac = mac
            self.xid = xid
        }
    }

    /// What one answer to the probe says.
    public enum Verdict: Sendable, Equatable {
        /// netroot's own server answered (its server identifier or source address is one of ours).
        case ours(server: IPv4Address, offered: IPv4Address)
        /// Another server offered an address to the probe.
        case rogue(RogueSighting)
    }

    /// The probe's MAC: derived from the interface's, so it is the same at every start and on every host it is
    /// unique to one interface, never the interface's own (bytes 1 and 2 are flipped), locally administered
    /// (bit 0x02 set) and unicast (bit 0x01 clear), so it collides with no vendor's address.
    public static func mac(for interfaceMAC: MACAddress) -> MACAddress {
        var bytes = interfaceMAC.bytes
        bytes[0] = (bytes[0] | 0x02) & ~0x01
        bytes[1] ^= 0x6e // "n"
        bytes[2] ^= 0x72 // "r"
        return MACAddress(bytes: bytes)!
    }

    /// The host name the probe sends (option 12), so a rogue server's log names what asked.
    public static let hostName = "netroot-rogue-probe"

    /// The DHCPDISCOVER the probe broadcasts, as a UDP payload: the broadcast flag set so that every server
    /// answers to the broadcast address, and nothing that would make it look like a node's request.
    public static func discover(_ round: Round) -> [UInt8] {
        var message = DHCPMessage(op: .request, xid: round.xid, chaddr: round.mac.bytes)
        message.broadcastFlag = true
        message.options.messageType = .discover
        message.options.hostName = hostName
        // Subnet mask, router, DNS, domain name: what an ordinary client asks for, so servers that answer only
        // well-formed clients answer this one too.
        message.options.parameterRequestList = [1, 3, 6, 15]
        return message.encoded()
    }

    /// The verdict on one captured frame (Ethernet, optionally VLAN-tagged): nil unless it is an OFFER to this
    /// round (its transaction ID and the probe's MAC in chaddr). `ours` are netroot's own addresses.
    public static func judge(_ frame: [UInt8], round: Round, ours: Set<IPv4Address>, time: Double) -> Verdict? {
        guard let reply = RogueDetector.reply(in: frame), reply.message.xid == round.xid,
              reply.message.clientMAC == round.mac, reply.message.options.messageType == .offer else { return nil }
        let server = reply.message.options.serverIdentifier ?? reply.sourceIP
        if ours.contains(server) || ours.contains(reply.sourceIP) {
            return .ours(server: server, offered: reply.message.yiaddr)
        }
        return .rogue(RogueSighting(serverIP: server, serverMAC: reply.sourceMAC, client: round.mac, type: .offer,
                                    offered: reply.message.yiaddr, time: time, toProbe: true))
    }
}
