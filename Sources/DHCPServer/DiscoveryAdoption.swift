import Inventory

/// `nodes adopt`: discovered machines turned into nodes, named from a pattern and numbered in first-seen order,
/// each with the next free address of its network (pure).
public enum DiscoveryAdoption {
    /// One machine as it becomes a node.
    public struct Node: Sendable, Equatable {
        public var name: String
        public var mac: String
        public var ip: IPv4Address
        public var network: String
    }

    /// Why no plan was made; nothing is written then.
    public struct Refusal: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// The name `pattern` gives `number`: `{n}` is the number as is (`rack{n}` → rack7), `{n:W}` the number padded
    /// with zeros to W digits (`compute{n:02}` → compute07). Nil when the pattern has no or several placeholders.
    public static func name(_ pattern: String, number: Int) -> String? {
        guard let open = pattern.range(of: "{n"), let close = pattern[open.upperBound...].range(of: "}") else {
            return nil
        }
        let rest = pattern[close.upperBound...]
        guard !rest.contains("{n") else { return nil }
        let format = pattern[open.upperBound..<close.lowerBound]
        var digits = String(number)
        if !format.isEmpty {
            guard format.hasPrefix(":"), let width = Int(format.dropFirst()), (1...9).contains(width) else { return nil }
            digits = String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return String(pattern[..<open.lowerBound]) + digits + rest
    }

    /// Names, numbers and addresses for `machines` (taken in first-seen order), starting at `start`. `network` is
    /// for machines not seen on a declared network (else the inventory's only network); `reserved` are addresses no
    /// node may take (the server's own).
    public static func plan(_ machines: [DiscoveredMachine], inventory: Inventory, pattern: String, start: Int,
                            network fallback: String? = nil, reserved: Set<IPv4Address> = []) throws(Refusal) -> [Node] {
        guard name(pattern, number: start) != nil else {
            throw Refusal(description: "--name '\(pattern)' needs one {n} (or {n:W} for W digits), e.g. 'compute{n}'")
        }
        let names = Set(inventory.nodes.map(\.name))
        let macs = Set(inventory.nodes.map { "\($0.mac)" })
        var taken = inventory.takenAddresses.union(reserved)
        var nodes: [Node] = []
        let ordered = machines.sorted { ($0.firstSeen, $0.mac) < ($1.firstSeen, $1.mac) }
        for (offset, machine) in ordered.enumerated() {
            guard !macs.contains(machine.mac) else { continue }
            let nodeName = name(pattern, number: start + offset)!
            guard Names.isHostLabel(nodeName) else {
                throw Refusal(description: "'\(nodeName)' is not a valid node name (letters, digits and inner hyphens)")
            }
            guard !names.contains(nodeName) else {
                throw Refusal(description: "node \(nodeName) already exists; start the numbering elsewhere (--start)")
            }
            let network = try networkOf(machine, in: inventory, fallback: fallback)
            guard let ip = AddressAllocator.nextFree(in: network, server: inventory.server.address, taken: taken) else {
                throw Refusal(description: "network \(network.name) (\(network.subnet)) has no free address outside its pool")
            }
            taken.insert(ip)
            nodes.append(Node(name: nodeName, mac: machine.mac, ip: ip, network: network.name))
        }
        return nodes
    }

    private static func networkOf(_ machine: DiscoveredMachine, in inventory: Inventory,
                                  fallback: String?) throws(Refusal) -> Network {
        let wanted = machine.network.flatMap { seen in inventory.networks.first { $0.name == seen } }?.name ?? fallback
        if let wanted {
            guard let network = inventory.networks.first(where: { $0.name == wanted }) else {
                throw Refusal(description: "no network '\(wanted)' in \(inventory.file)")
            }
            return network
        }
        guard inventory.networks.count == 1 else {
            throw Refusal(description: "\(machine.mac) was not seen on a declared network; pass --network NAME")
        }
        return inventory.networks[0]
    }
}
