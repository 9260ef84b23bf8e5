import Foundation

/// The discovered machines, merged sighting by sighting and bounded (pure). The oldest last-seen machine is
/// forgotten first when `capacity` is reached (a quarter at a time): a rack powered on today outranks a laptop seen last month.
public struct DiscoveryBook: Sendable, Equatable {
    public let capacity: Int
    private var byMAC: [String: DiscoveredMachine] = [:]

    public init(capacity: Int = 4_096, machines: [DiscoveredMachine] = []) {
        self.capacity = max(1, capacity)
        for machine in machines.sorted(by: { $0.lastSeen < $1.lastSeen }) { merge(machine) }
    }

    /// Every machine in the order they were first seen (the order a technician powered them on); MAC breaks ties.
    public var machines: [DiscoveredMachine] {
        byMAC.values.sorted { ($0.firstSeen, $0.mac) < ($1.firstSeen, $1.mac) }
    }

    public var count: Int { byMAC.count }

    /// What a sighting changed.
    public enum Change: Sendable, Equatable {
        /// A machine not in the book before: the set of machines changed.
        case added
        /// A new machine that pushed the longest unseen ones out (the book is full: a storm of strangers, not a
        /// rack being powered on).
        case addedEvicting
        /// A machine already there: its last sighting, count and latest facts.
        case updated
    }

    /// Adds `sighting`, or folds it into the machine already known: first seen kept, last seen, count and the
    /// latest architecture / vendor class / segment updated.
    @discardableResult
    public mutating func record(_ sighting: DiscoveredMachine) -> Change {
        guard var known = byMAC[sighting.mac] else {
            return merge(sighting) ? .addedEvicting : .added
        }
        known.firstSeen = min(known.firstSeen, sighting.firstSeen)
        known.lastSeen = max(known.lastSeen, sighting.lastSeen)
        known.count += sighting.count
        known.architecture = sighting.architecture ?? known.architecture
        known.vendorClass = sighting.vendorClass ?? known.vendorClass
        known.relay = sighting.relay
        known.network = sighting.network ?? known.network
        byMAC[sighting.mac] = known
        return .updated
    }

    /// Forgets the machines whose MAC is in `macs` (adopted into nodes.yaml); whether any was there.
    @discardableResult
    public mutating func remove(_ macs: Set<String>) -> Bool {
        // One lookup per MAC given (a few hundred nodes), not a pass over the whole book.
        var removed = false
        for mac in macs where byMAC.removeValue(forKey: mac) != nil { removed = true }
        return removed
    }

    /// A new machine; when the book is full, the longest unseen quarter goes first, in one sort (a storm of
    /// strangers at capacity costs a sort per `capacity / 4` machines, not a scan per machine). Whether any went.
    @discardableResult
    private mutating func merge(_ machine: DiscoveredMachine) -> Bool {
        if byMAC[machine.mac] != nil {
            record(machine)
            return false
        }
        var evicted = false
        if byMAC.count >= capacity {
            let oldest = byMAC.map { (mac: $0.key, lastSeen: $0.value.lastSeen) }
                .sorted { $0.lastSeen < $1.lastSeen }.prefix(capacity / 4 + 1)
            for old in oldest { byMAC[old.mac] = nil }
            evicted = true
        }
        byMAC[machine.mac] = machine
        return evicted
    }
}
