/// `netroot networks detect`: a `networks:` entry from an interface's address and the default route (pure).
public struct DetectedNetwork: Sendable, Equatable {
    public var name: String
    public var subnet: IPv4Subnet
    /// The default route's gateway when it lies inside the subnet.
    public var router: IPv4Address?

    /// Nil for a prefix longer than /30 (no room for nodes) or out of range.
    public init?(name: String, address: IPv4Address, prefixLength: Int, defaultGateway: IPv4Address?) {
        guard (0...30).contains(prefixLength) else { return nil }
        let mask: UInt32 = prefixLength == 0 ? 0 : UInt32.max << UInt32(32 - prefixLength)
        guard let subnet = IPv4Subnet(network: IPv4Address(address.value & mask), prefixLength: prefixLength) else {
            return nil
        }
        self.name = name
        self.subnet = subnet
        router = defaultGateway.flatMap { subnet.contains($0) && !subnet.isReservedAddress($0) ? $0 : nil }
    }

    /// The entry's lines, unindented, for `networks:`.
    public var entryLines: [String] {
        ["\(name):", "  subnet: \(subnet)"] + (router.map { ["  router: \($0)"] } ?? [])
    }

    /// `provision` unless the inventory has it; else a name made from the subnet (`net-10-1-0-0-24`).
    public static func defaultName(taken: Set<String>, subnet: IPv4Subnet) -> String {
        if !taken.contains("provision") { return "provision" }
        return "net-" + subnet.network.bytes.map(String.init).joined(separator: "-") + "-\(subnet.prefixLength)"
    }
}
