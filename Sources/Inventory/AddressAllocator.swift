/// `ip: auto`: the next address of a network no one else has (pure).
public enum AddressAllocator {
    /// The lowest address of `network` that is not its network or broadcast address, its router, inside its pool,
    /// the server's, or in `taken`; nil when the subnet is full.
    public static func nextFree(in network: Network, server: IPv4Address?, taken: Set<IPv4Address>) -> IPv4Address? {
        let subnet = network.subnet
        var candidate = subnet.network.value
        let last = subnet.broadcast.value
        while true {
            let address = IPv4Address(candidate)
            let reserved = subnet.isReservedAddress(address) || address == network.router || address == server
                || taken.contains(address) || network.pool?.contains(address) == true
            if !reserved { return address }
            guard candidate < last else { return nil }
            candidate += 1
        }
    }
}

extension Inventory {
    /// Addresses a new node cannot have: every node's and container's.
    public var takenAddresses: Set<IPv4Address> {
        Set(nodes.map(\.ip)).union(containers.map(\.address))
    }
}
