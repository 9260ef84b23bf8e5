import Inventory

/// What `bridge up` did, kept under state_dir so that `bridge down` undoes exactly that.
public struct BridgeRecord: Sendable, Equatable, Codable {
    public var bridge: String
    public var uplink: String?
    /// False when the bridge existed before (adopted): `down` leaves it in place.
    public var created: Bool
    /// The adopted bridge's own MAC, forward delay and STP, given back by `down`.
    public var originalMAC: MACAddress?
    public var originalForwardDelay: Int?
    public var originalSTP: Bool?
    /// False when the adopted bridge was down: `down` sets it down again.
    public var originalUp: Bool?
    public var movedAddresses: [AddressInfo]
    public var movedRoutes: [RouteInfo]

    public init(bridge: String, uplink: String?, created: Bool, originalMAC: MACAddress?,
                movedAddresses: [AddressInfo], movedRoutes: [RouteInfo]) {
        self.bridge = bridge
        self.uplink = uplink
        self.created = created
        self.originalMAC = originalMAC
        self.movedAddresses = movedAddresses
        self.movedRoutes = movedRoutes
    }
}

/// A plan: the steps, and the record `up` leaves behind once they are applied.
public struct BridgePlan: Sendable, Equatable {
    public var steps: [BridgeStep]
    public var record: BridgeRecord?
}

/// Why a plan cannot be made; names the interface.
public struct BridgeRefusal: Error, Equatable, CustomStringConvertible {
    public let description: String
}

/// Computes `bridge up` and `bridge down` from the current state, as data (pure).
public enum BridgePlanner {
    /// Default forward delay of a Linux bridge (seconds), for one read back without it.
    static let kernelDefaultForwardDelay = 15

    public static func up(_ settings: BridgeSettings, state: NetworkState, previous: BridgeRecord? = nil,
                          containers: [ContainerSettings] = []) -> Result<BridgePlan, BridgeRefusal> {
        let name = settings.name
        let existing = state.link(name)
        var steps: [BridgeStep] = []
        if let existing {
            guard existing.kind == "bridge" else {
                return .failure(BridgeRefusal(description: "\(name) exists and is not a bridge (\(existing.kind ?? "a device"))"))
            }
            let forwardDelay = existing.forwardDelay ?? kernelDefaultForwardDelay
            let stp = existing.stp ?? false
            if forwardDelay != settings.forwardDelay || stp != settings.stp {
                steps.append(.configureBridge(name: name, forwardDelay: settings.forwardDelay, stp: settings.stp,
                                              previousForwardDelay: forwardDelay, previousSTP: stp))
            }
        } else {
            steps.append(.createBridge(name: name, forwardDelay: settings.forwardDelay, stp: settings.stp))
        }
        var uplink: LinkInfo?
        if let uplinkName = settings.uplink {
            guard let found = state.link(uplinkName) else {
                return .failure(BridgeRefusal(description: "uplink \(uplinkName) does not exist"))
            }
            if let master = found.master, master != name {
                return .failure(BridgeRefusal(description: "uplink \(uplinkName) is already a port of \(master)"))
            }
            uplink = found
            // The host keeps its identity on the LAN: DHCP reservations, ARP caches, port security.
            if let mac = found.mac, existing?.mac != mac {
                steps.append(.setMAC(link: name, mac: mac, previous: existing?.mac))
            }
        }
        if existing?.isUp != true { steps.append(.setUp(link: name)) }
        var moved: (addresses: [AddressInfo], routes: [RouteInfo]) = ([], [])
        if let uplink {
            let addresses = state.addresses(on: uplink.name)
            let routes = addOrder(state.movableRoutes(through: uplink.name))
            moved = (addresses.map { $0.moved(to: name) }, routes.map { $0.moved(to: name) })
            steps += routes.reversed().map { .deleteRoute($0) }
            // Secondaries first: deleting a primary address takes its secondaries with it.
            steps += addresses.reversed().map { .deleteAddress($0) }
            if uplink.master != name { steps.append(.enslave(port: uplink.name, bridge: name)) }
            if !uplink.isUp { steps.append(.setUp(link: uplink.name)) }
            steps += moved.addresses.map { .addAddress($0) }
            steps += moved.routes.map { .addRoute($0) }
        }
        // A container whose host end exists is plumbed already; one whose host end is gone is plumbed anew.
        for container in containers {
            let plumbing = ContainerPlumbing(container, bridge: name)
            if state.link(plumbing.hostEnd) == nil { steps.append(.plumbContainer(plumbing)) }
        }
        var record = previous ?? BridgeRecord(bridge: name, uplink: settings.uplink, created: existing == nil,
                                              originalMAC: existing?.mac, movedAddresses: [], movedRoutes: [])
        if previous == nil, let existing {
            record.originalForwardDelay = existing.forwardDelay
            record.originalSTP = existing.stp
            record.originalUp = existing.isUp
        }
        record.movedAddresses += moved.addresses
        record.movedRoutes += moved.routes
        return .success(BridgePlan(steps: steps, record: steps.isEmpty && previous != nil ? previous : record))
    }

    /// The reverse of `up`: what the record says moved goes back to the uplink, the uplink is released, and the
    /// bridge is deleted if netroot created it. Without a record, every address and route of the bridge moves.
    public static func down(_ settings: BridgeSettings, state: NetworkState, record: BridgeRecord?,
                            containers: [ContainerSettings] = []) -> Result<BridgePlan, BridgeRefusal> {
        let name = settings.name
        guard let bridge = state.link(name) else { return .success(BridgePlan(steps: [], record: nil)) }
        guard bridge.kind == "bridge" else {
            return .failure(BridgeRefusal(description: "\(name) exists and is not a bridge (\(bridge.kind ?? "a device"))"))
        }
        var steps: [BridgeStep] = []
        for container in containers {
            let plumbing = ContainerPlumbing(container, bridge: name)
            if state.link(plumbing.hostEnd)?.master == name { steps.append(.unplumbContainer(plumbing)) }
        }
        let uplinkName = record?.uplink ?? settings.uplink
        if let uplinkName, let uplink = state.link(uplinkName) {
            let onBridge = state.addresses(on: name)
            let addresses = record.map { record in
                onBridge.filter { address in record.movedAddresses.contains { $0.address == address.address } }
            } ?? onBridge
            let movable = state.movableRoutes(through: name)
            let routes = addOrder(record.map { record in
                movable.filter { route in record.movedRoutes.contains { Self.sameRoute($0, route) } }
            } ?? movable)
            steps += routes.reversed().map { .deleteRoute($0) }
            steps += addresses.reversed().map { .deleteAddress($0) }
            if uplink.master == name { steps.append(.release(port: uplinkName, bridge: name)) }
            steps += addresses.map { .addAddress($0.moved(to: uplinkName)) }
            steps += routes.map { .addRoute($0.moved(to: uplinkName)) }
        }
        if record?.created ?? false {
            steps.append(.deleteLink(bridge))
        } else if let record {
            if let original = record.originalMAC, let mac = bridge.mac, original != mac {
                steps.append(.setMAC(link: name, mac: original, previous: mac))
            }
            let forwardDelay = bridge.forwardDelay ?? kernelDefaultForwardDelay
            let stp = bridge.stp ?? false
            let originalForwardDelay = record.originalForwardDelay ?? forwardDelay
            let originalSTP = record.originalSTP ?? stp
            if (originalForwardDelay, originalSTP) != (forwardDelay, stp) {
                steps.append(.configureBridge(name: name, forwardDelay: originalForwardDelay, stp: originalSTP,
                                              previousForwardDelay: forwardDelay, previousSTP: stp))
            }
            if record.originalUp == false, bridge.isUp { steps.append(.setDown(link: name)) }
        }
        return .success(BridgePlan(steps: steps, record: nil))
    }

    /// Routes without a gateway first: a gateway must be reachable through a link route when its route is added.
    static func addOrder(_ routes: [RouteInfo]) -> [RouteInfo] {
        routes.filter { $0.gateway == nil } + routes.filter { $0.gateway != nil }
    }

    private static func sameRoute(_ a: RouteInfo, _ b: RouteInfo) -> Bool {
        a.destination == b.destination && a.prefixLength == b.prefixLength && a.gateway == b.gateway
            && a.table == b.table && a.metric == b.metric
    }
}
