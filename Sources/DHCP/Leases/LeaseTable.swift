import Inventory

/// All leases in memory, by client and by address. A value type: the responder changes a copy it is handed.
///
/// Every entry holds its address (an address's new holder replaces the old one), so the table never has more
/// entries than there are addresses handed out, however many MACs ask.
public struct LeaseTable: Sendable {
    public private(set) var byMAC: [MACAddress: Lease] = [:]
    private var holderByAddress: [IPv4Address: MACAddress] = [:]
    /// Addresses a client declined (RFC 2131 §4.3.3): someone else uses them; not offered until the time given.
    private var quarantine: [IPv4Address: Int64] = [:]

    public init() {}

    public var count: Int { byMAC.count }

    public func lease(for mac: MACAddress) -> Lease? { byMAC[mac] }

    /// The client holding `address` now (offered or bound and not expired).
    public func holder(of address: IPv4Address, at now: Int64) -> MACAddress? {
        guard let mac = holderByAddress[address], let lease = byMAC[mac], lease.isActive(at: now) else { return nil }
        return mac
    }

    public mutating func record(_ lease: Lease) {
        if let previous = byMAC[lease.mac], previous.address != lease.address,
           holderByAddress[previous.address] == lease.mac {
            holderByAddress[previous.address] = nil
        }
        // The address's previous holder (its hold or lease expired) is forgotten: it holds nothing any more.
        if let previousHolder = holderByAddress[lease.address], previousHolder != lease.mac {
            byMAC[previousHolder] = nil
        }
        byMAC[lease.mac] = lease
        holderByAddress[lease.address] = lease.mac
    }

    public mutating func remove(mac: MACAddress) {
        guard let lease = byMAC.removeValue(forKey: mac) else { return }
        if holderByAddress[lease.address] == mac { holderByAddress[lease.address] = nil }
    }

    /// Applies a journaled change (on replay, or after the responder decided it).
    public mutating func apply(_ update: LeaseUpdate) {
        switch update {
        case .bind(let lease): record(lease)
        case .release(let mac, let address):
            if byMAC[mac]?.address == address { remove(mac: mac) }
        }
    }

    /// Keeps `address` out of the pool until `time`. Memory only; the holder's lease, if any, is released
    /// through the journal like any other.
    public mutating func quarantine(_ address: IPv4Address, until time: Int64) {
        quarantine[address] = time
    }

    public func isQuarantined(_ address: IPv4Address, at now: Int64) -> Bool {
        (quarantine[address] ?? 0) > now
    }

    /// Whether `mac` may be given `address` now: nobody else holds it and it is not quarantined.
    public func isAvailable(_ address: IPv4Address, for mac: MACAddress, at now: Int64) -> Bool {
        guard !isQuarantined(address, at: now) else { return false }
        let holder = holder(of: address, at: now)
        return holder == nil || holder == mac
    }

    /// A free pool address for a new client. The search starts at a point derived from the MAC, so a client
    /// that comes back after its lease was forgotten tends to get the same address, and clients spread out.
    public func freeAddress(in pool: IPv4Range, for mac: MACAddress, at now: Int64) -> IPv4Address? {
        let size = UInt64(pool.count)
        guard size > 0 else { return nil }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325 // FNV-1a: stable across runs, unlike Hasher
        for byte in mac.bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        let start = hash % size
        for step in 0..<size {
            let address = IPv4Address(pool.first.value + UInt32((start + step) % size))
            if isAvailable(address, for: mac, at: now) { return address }
        }
        return nil
    }

    public var quarantinedCount: Int { quarantine.count }

    /// Drops offer holds and quarantine entries that have expired. Expired bindings stay: they are on disk, and
    /// they keep an address for its client until someone else takes it.
    public mutating func prune(now: Int64) {
        for (mac, lease) in byMAC where lease.state == .offered && !lease.isActive(at: now) { remove(mac: mac) }
        quarantine = quarantine.filter { $0.value > now }
    }

    /// Leases in address order, for `netroot leases`.
    public var all: [Lease] { byMAC.values.sorted { $0.address < $1.address } }
}
