import Inventory

/// A container's link to the bridge: a veth pair, one end a port of the bridge, the other inside the container
/// under a stable name with a static address and a default route (what pipework does, from nodes.yaml).
public struct ContainerPlumbing: Sendable, Equatable, Codable {
    public var container: String
    /// The veth end left on the host, a port of the bridge.
    public var hostEnd: String
    public var bridge: String
    /// The container's network namespace as a file (`/var/run/netns/X`, `/proc/PID/ns/net`).
    public var namespace: String
    public var interface: String
    public var address: IPv4Address
    public var prefixLength: Int
    public var gateway: IPv4Address?
    /// Fixed per container, so plumbing it again (after `down`, or when a rollback undoes an unplumb) gives the
    /// same MACs: the nodes' ARP caches stay right.
    public var hostMAC: MACAddress
    public var containerMAC: MACAddress

    public init(_ container: ContainerSettings, bridge: String) {
        self.container = container.name
        hostEnd = Self.hostEndName(for: container.name)
        self.bridge = bridge
        namespace = container.namespace.path
        interface = container.interface
        address = container.address
        prefixLength = container.prefixLength
        gateway = container.gateway
        hostMAC = Self.stableMAC(for: container.name, end: 0)
        containerMAC = Self.stableMAC(for: container.name, end: 1)
    }

    /// A locally administered unicast MAC from the container's name: 02:6e:72 ("nr"), then a hash and the end.
    static func stableMAC(for container: String, end: UInt8) -> MACAddress {
        let hash = fnv1a(container)
        return MACAddress(bytes: [0x02, 0x6e, 0x72, UInt8(hash >> 16 & 0xff), UInt8(hash >> 8 & 0xff),
                                  UInt8(hash & 0xfe) | end])!
    }

    /// `nrc-NAME`, within the kernel's 15 characters: a long name keeps its start and gains a short hash.
    static func hostEndName(for container: String) -> String {
        let name = "nrc-" + container
        guard name.count > 15 else { return name }
        let hash = fnv1a(container)
        let suffix = String(hash & 0xffff, radix: 16)
        return String(name.prefix(15 - suffix.count - 1)) + "-" + suffix
    }

    /// The same change as commands: `ip` on the host, `nsenter … ip` inside the container.
    var commands: [String] {
        let inside = "nsenter --net=\(namespace) ip"
        var lines = [
            "ip link add \(hostEnd) address \(hostMAC) type veth peer name \(interface) address \(containerMAC) "
                + "netns \(namespace)",
            "ip link set dev \(hostEnd) master \(bridge)",
            "ip link set dev \(hostEnd) up",
            "\(inside) addr add \(address)/\(prefixLength) dev \(interface)",
            "\(inside) link set dev \(interface) up",
        ]
        if let gateway { lines.append("\(inside) route add default via \(gateway) dev \(interface)") }
        return lines
    }
}

/// FNV-1a, 32 bits: a short stable hash of a name.
private func fnv1a(_ text: String) -> UInt32 {
    text.utf8.reduce(UInt32(2_166_136_261)) { ($0 ^ UInt32($1)) &* 16_777_619 }
}
