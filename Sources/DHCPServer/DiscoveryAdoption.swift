import Foundation
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
        if let fallback, !inventory.networks.contains(where: { $0.name == fallback }) {
            throw Refusal(description: "no network '\(fallback)' in \(inventory.file)")
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

    /// Which discovered machines `nodes adopt --all` takes (pure): every one but those seen on another network than
    /// `network`, first seen before `since`, or with a locally administered MAC (unless `includeLocal`). Any
    /// machine on the VLAN can send a PXE DISCOVER from a MAC of its choosing; these narrow what becomes a node.
    public struct Selection: Sendable, Equatable {
        public var network: String?
        /// Unix seconds: machines first seen before are left out.
        public var since: Double?
        public var includeLocal: Bool

        public init(network: String? = nil, since: Double? = nil, includeLocal: Bool = false) {
            self.network = network
            self.since = since
            self.includeLocal = includeLocal
        }

        /// The machines taken, and how many were left out for which reason.
        public struct Outcome: Sendable, Equatable {
            public var machines: [DiscoveredMachine] = []
            public var otherNetwork = 0
            public var earlier = 0
            public var local = 0

            /// `3 discovered machines left out: 1 seen on another network, 2 with a locally administered MAC (add
            /// --include-local to take them)`; nil when none was.
            public var leftOut: String? {
                var reasons: [String] = []
                if otherNetwork > 0 { reasons.append("\(otherNetwork) not seen on the network asked for") }
                if earlier > 0 { reasons.append("\(earlier) first seen before --since") }
                if local > 0 {
                    reasons.append("\(local) with a locally administered MAC (--include-local takes them)")
                }
                let total = otherNetwork + earlier + local
                guard total > 0 else { return nil }
                return "\(total) discovered machine\(total == 1 ? "" : "s") left out: "
                    + reasons.joined(separator: ", ")
            }
        }

        public func apply(_ machines: [DiscoveredMachine]) -> Outcome {
            var outcome = Outcome()
            for machine in machines {
                if let network, machine.network != network {
                    outcome.otherNetwork += 1
                } else if let since, machine.firstSeen < since {
                    outcome.earlier += 1
                } else if !includeLocal, machine.isLocallyAdministered {
                    outcome.local += 1
                } else {
                    outcome.machines.append(machine)
                }
            }
            return outcome
        }
    }

    /// `--since`'s value as Unix seconds: a duration back from `now` (`30m`, `2h`, `1d`, `3600`), or a UTC time
    /// (`2026-12-07 17:00`, `2026-12-07T17:00:00Z`, `2026-12-07`; an explicit offset such as `+01:00` is
    /// honoured). Nil when it is neither.
    public static func since(_ text: String, now: Double) -> Double? {
        if text != "infinite", let duration = LeaseDuration(text) { return now - Double(duration.seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        for format in ["yyyy-MM-dd'T'HH:mm:ssXXXXX", "yyyy-MM-dd'T'HH:mmXXXXX", "yyyy-MM-dd'T'HH:mm:ss",
                       "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd HH:mm", "yyyy-MM-dd"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date.timeIntervalSince1970 }
        }
        return nil
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
