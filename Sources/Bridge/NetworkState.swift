import Inventory

/// One network interface as the kernel reports it.
public struct LinkInfo: Sendable, Equatable, Codable {
    public var name: String
    public var mac: MACAddress?
    public var isUp: Bool
    /// The bridge this link is a port of.
    public var master: String?
    /// `bridge`, `veth`, … (nil for physical devices).
    public var kind: String?
    /// For bridges: forward delay in seconds and whether STP is on.
    public var forwardDelay: Int?
    public var stp: Bool?

    public init(name: String, mac: MACAddress? = nil, isUp: Bool = true, master: String? = nil, kind: String? = nil,
                forwardDelay: Int? = nil, stp: Bool? = nil) {
        self.name = name
        self.mac = mac
        self.isUp = isUp
        self.master = master
        self.kind = kind
        self.forwardDelay = forwardDelay
        self.stp = stp
    }
}

/// One IPv4 address on a link, with everything needed to put it back exactly.
public struct AddressInfo: Sendable, Equatable, Codable {
    public var link: String
    public var address: IPv4Address
    public var prefixLength: Int
    public var broadcast: IPv4Address?
    /// `eth0`, `eth0:1`; always starts with the link's name.
    public var label: String?
    /// IFA_F_* flags (secondary, noprefixroute, …).
    public var flags: UInt32
    public var scope: UInt8
    /// Seconds; nil means forever.
    public var validLifetime: UInt32?
    public var preferredLifetime: UInt32?

    public init(link: String, address: IPv4Address, prefixLength: Int, broadcast: IPv4Address? = nil,
                label: String? = nil, flags: UInt32 = 0, scope: UInt8 = 0, validLifetime: UInt32? = nil,
                preferredLifetime: UInt32? = nil) {
        self.link = link
        self.address = address
        self.prefixLength = prefixLength
        self.broadcast = broadcast
        self.label = label
        self.flags = flags
        self.scope = scope
        self.validLifetime = validLifetime
        self.preferredLifetime = preferredLifetime
    }

    /// The same address on another link; a label naming the old link is renamed with it.
    func moved(to newLink: String) -> AddressInfo {
        var copy = self
        copy.link = newLink
        if let label, label.hasPrefix(link) { copy.label = String((newLink + label.dropFirst(link.count)).prefix(15)) }
        return copy
    }
}

/// One IPv4 route through a link.
public struct RouteInfo: Sendable, Equatable, Codable {
    public var link: String
    public var destination: IPv4Address
    /// 0 for the default route.
    public var prefixLength: Int
    public var gateway: IPv4Address?
    public var metric: UInt32
    /// The preferred source address (`src`).
    public var source: IPv4Address?
    public var table: UInt32
    public var scope: UInt8
    /// RTPROT_*: 2 (kernel) marks routes the kernel makes for an address, which follow the address by themselves.
    public var routingProtocol: UInt8
    /// RTN_*: 1 unicast, 2 local, 3 broadcast, …
    public var type: UInt8

    public static let mainTable: UInt32 = 254
    public static let localTable: UInt32 = 255
    public static let kernelProtocol: UInt8 = 2
    public static let staticProtocol: UInt8 = 4
    public static let unicastType: UInt8 = 1

    public init(link: String, destination: IPv4Address, prefixLength: Int, gateway: IPv4Address? = nil,
                metric: UInt32 = 0, source: IPv4Address? = nil, table: UInt32 = RouteInfo.mainTable, scope: UInt8 = 0,
                routingProtocol: UInt8 = RouteInfo.staticProtocol, type: UInt8 = RouteInfo.unicastType) {
        self.link = link
        self.destination = destination
        self.prefixLength = prefixLength
        self.gateway = gateway
        self.metric = metric
        self.source = source
        self.table = table
        self.scope = scope
        self.routingProtocol = routingProtocol
        self.type = type
    }

    /// Made by the kernel for an address (its prefix route, the local table): it moves with the address.
    public var followsAddress: Bool { routingProtocol == Self.kernelProtocol || table == Self.localTable }

    func moved(to newLink: String) -> RouteInfo {
        var copy = self
        copy.link = newLink
        return copy
    }
}

/// The links, IPv4 addresses and IPv4 routes of one network namespace.
public struct NetworkState: Sendable, Equatable, Codable {
    public var links: [LinkInfo]
    public var addresses: [AddressInfo]
    public var routes: [RouteInfo]

    public init(links: [LinkInfo] = [], addresses: [AddressInfo] = [], routes: [RouteInfo] = []) {
        self.links = links
        self.addresses = addresses
        self.routes = routes
    }

    public func link(_ name: String) -> LinkInfo? { links.first { $0.name == name } }
    public func addresses(on link: String) -> [AddressInfo] { addresses.filter { $0.link == link } }
    /// Routes an administrator or a DHCP client made through `link` (not the kernel's own for its addresses).
    public func movableRoutes(through link: String) -> [RouteInfo] {
        routes.filter { $0.link == link && !$0.followsAddress }
    }
}
