import Inventory

/// One client's hold on an address.
public struct Lease: Sendable, Equatable {
    /// Offered holds are in memory only; bound leases are journaled before their ACK leaves.
    public enum State: String, Sendable {
        case offered
        case bound
    }

    public var mac: MACAddress
    public var address: IPv4Address
    /// Unix seconds; `UInt32.max` lease times never expire.
    public var expires: Int64
    public var state: State
    public var hostname: String?
    /// The last architecture the client's firmware sent (option 93), so its bare second DHCP gets the same bootfile.
    public var clientArchitecture: UInt16?
    /// The appliance that wrote the lease to a shared database; nil for this appliance's own (and the journal's).
    public var grantedBy: String?

    public init(mac: MACAddress, address: IPv4Address, expires: Int64, state: State, hostname: String? = nil,
                clientArchitecture: UInt16? = nil, grantedBy: String? = nil) {
        self.mac = mac
        self.address = address
        self.expires = expires
        self.state = state
        self.hostname = hostname
        self.clientArchitecture = clientArchitecture
        self.grantedBy = grantedBy
    }

    public func isActive(at now: Int64) -> Bool { expires > now }
}

/// A change that must be on disk before the reply that announces it is sent.
public enum LeaseUpdate: Sendable, Equatable {
    case bind(Lease)
    case release(mac: MACAddress, address: IPv4Address)
}
