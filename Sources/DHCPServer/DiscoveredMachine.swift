import DHCP
import Inventory
import Values

/// A machine nodes.yaml does not know that asked for a network boot: what netroot remembers of it across restarts.
public struct DiscoveredMachine: Codable, Sendable, Equatable {
    /// Lower-case, colon-separated: `52:54:00:00:00:01`.
    public var mac: String
    /// Unix seconds of its first and latest PXE request.
    public var firstSeen: Double
    public var lastSeen: Double
    /// Option 93's first architecture (RFC 4578: 0 BIOS, 7/9 UEFI x86-64, 16 UEFI HTTP).
    public var architecture: UInt16?
    /// Option 60 as sent (`PXEClient:Arch:00000:UNDI:002001`), escaped (`UntrustedText`): control characters
    /// and invalid UTF-8 as `\xNN`; at most `vendorClassLimit` characters (a firmware's is some 32).
    public var vendorClass: String?
    /// The relay agent's address (giaddr), nil when it asked on the server's own segment.
    public var relay: String?
    /// The inventory network of the segment it asked on, when one matches.
    public var network: String?
    /// How many PXE requests it sent.
    public var count: Int

    public init(mac: String, firstSeen: Double, lastSeen: Double, architecture: UInt16? = nil,
                vendorClass: String? = nil, relay: String? = nil, network: String? = nil, count: Int = 1) {
        self.mac = mac
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.architecture = architecture
        self.vendorClass = vendorClass
        self.relay = relay
        self.network = network
        self.count = count
    }

    enum CodingKeys: String, CodingKey {
        case mac, architecture, network, relay, count
        case firstSeen = "first_seen"
        case lastSeen = "last_seen"
        case vendorClass = "vendor_class"
    }
}

extension DiscoveredMachine {
    /// The longest vendor class kept, in Unicode scalars once escaped (`…` marks a cut): every sighting of a
    /// flood is written to discovered.json, and option 60 can be 255 bytes of `\xNN` escapes.
    public static let vendorClassLimit = 128

    /// `text` (escaped already) cut to `vendorClassLimit`, between escapes.
    static func capped(_ text: String) -> String {
        UntrustedText.escapeStored(text, limit: vendorClassLimit)
    }

    /// Whether the MAC is locally administered (bit 0x02 of its first octet): chosen by software (a virtual
    /// machine's, QEMU/KVM's 52:54:00:…, a container's, or anyone's on the VLAN), not a vendor's burnt-in one.
    public var isLocallyAdministered: Bool {
        guard let first = UInt8(mac.prefix(2), radix: 16) else { return false }
        return first & 0x02 != 0
    }

    /// The sighting `request` makes when it comes from an unknown machine's boot firmware: a DISCOVER or REQUEST
    /// whose option 60 starts with PXEClient or HTTPClient, or iPXE's; nil for anything else (an OS's DHCP client
    /// in a pool is not a machine waiting to be enrolled). `network` is the inventory network of its segment.
    public static func sighting(_ request: DHCPMessage, type: DHCPMessageType?, knownNode: String?,
                                network: String?, time: Double) -> DiscoveredMachine? {
        guard knownNode == nil, type == .discover || type == .request, let mac = request.clientMAC else { return nil }
        let facts = ClientFacts(request)
        guard facts.isPXEFirmware || facts.isHTTPBootClient || facts.isIPXE else { return nil }
        return DiscoveredMachine(mac: "\(mac)", firstSeen: time, lastSeen: time, architecture: facts.architecture,
                                 vendorClass: request.options.shownVendorClass.map(capped),
                                 relay: request.giaddr.value == 0 ? nil : "\(request.giaddr)", network: network)
    }

    /// The inventory network of the segment `request` was sent on: the relay's, else the server's own, else the
    /// only one (as the responder chooses it).
    public static func network(of request: DHCPMessage, in inventory: Inventory, server: IPv4Address) -> String? {
        if request.giaddr.value != 0 { return inventory.network(containing: request.giaddr)?.name }
        if let network = inventory.network(containing: server) { return network.name }
        return inventory.networks.count == 1 ? inventory.networks[0].name : nil
    }
}
