import Inventory

/// One change to the network, small enough to undo exactly. Links are named, not indexed: a bridge the plan
/// creates has no index until it exists.
public enum BridgeStep: Sendable, Equatable, Codable {
    case createBridge(name: String, forwardDelay: Int, stp: Bool)
    case configureBridge(name: String, forwardDelay: Int, stp: Bool, previousForwardDelay: Int, previousSTP: Bool)
    case deleteLink(LinkInfo)
    case setMAC(link: String, mac: MACAddress, previous: MACAddress?)
    case setUp(link: String)
    case setDown(link: String)
    case enslave(port: String, bridge: String)
    case release(port: String, bridge: String)
    case addAddress(AddressInfo)
    case deleteAddress(AddressInfo)
    case addRoute(RouteInfo)
    case deleteRoute(RouteInfo)
    /// Done as one step: the parts inside the container cannot outlive the veth pair they are on.
    case plumbContainer(ContainerPlumbing)
    /// Deleting the host end deletes the pair, the container's end with it.
    case unplumbContainer(ContainerPlumbing)

    /// The step that undoes this one.
    public var inverse: BridgeStep {
        switch self {
        case let .createBridge(name, forwardDelay, stp):
            .deleteLink(LinkInfo(name: name, kind: "bridge", forwardDelay: forwardDelay, stp: stp))
        case let .configureBridge(name, forwardDelay, stp, previousForwardDelay, previousSTP):
            .configureBridge(name: name, forwardDelay: previousForwardDelay, stp: previousSTP,
                             previousForwardDelay: forwardDelay, previousSTP: stp)
        case .deleteLink(let link):
            .createBridge(name: link.name, forwardDelay: link.forwardDelay ?? 0, stp: link.stp ?? false)
        case let .setMAC(link, mac, previous):
            // "previous: nil" only for a bridge the plan creates: undoing its creation deletes it, so nothing to do.
            previous.map { .setMAC(link: link, mac: $0, previous: mac) } ?? self
        case .setUp(let link): .setDown(link: link)
        case .setDown(let link): .setUp(link: link)
        case let .enslave(port, bridge): .release(port: port, bridge: bridge)
        case let .release(port, bridge): .enslave(port: port, bridge: bridge)
        case .addAddress(let address): .deleteAddress(address)
        case .deleteAddress(let address): .addAddress(address)
        case .addRoute(let route): .deleteRoute(route)
        case .deleteRoute(let route): .addRoute(route)
        case .plumbContainer(let plumbing): .unplumbContainer(plumbing)
        case .unplumbContainer(let plumbing): .plumbContainer(plumbing)
        }
    }

    /// The same change as `ip` and `bridge` commands, for `--dry-run` and for the log.
    public var command: String {
        switch self {
        case let .createBridge(name, forwardDelay, stp):
            // iproute2 takes the forward delay in hundredths of a second.
            "ip link add \(name) type bridge forward_delay \(forwardDelay * 100) stp_state \(stp ? 1 : 0)"
        case let .configureBridge(name, forwardDelay, stp, _, _):
            "ip link set dev \(name) type bridge forward_delay \(forwardDelay * 100) stp_state \(stp ? 1 : 0)"
        case .deleteLink(let link): "ip link del dev \(link.name)"
        case let .setMAC(link, mac, _): "ip link set dev \(link) address \(mac)"
        case .setUp(let link): "ip link set dev \(link) up"
        case .setDown(let link): "ip link set dev \(link) down"
        case let .enslave(port, bridge): "ip link set dev \(port) master \(bridge)"
        case .release(let port, _): "ip link set dev \(port) nomaster"
        case .addAddress(let address): "ip addr add " + Self.describe(address)
        case .deleteAddress(let address): "ip addr del \(address.address)/\(address.prefixLength) dev \(address.link)"
        case .addRoute(let route): "ip route add " + Self.describe(route)
        case .deleteRoute(let route): "ip route del " + Self.describe(route)
        case .plumbContainer(let plumbing): plumbing.commands.joined(separator: "\n")
        case .unplumbContainer(let plumbing): "ip link del dev \(plumbing.hostEnd)"
        }
    }

    private static func describe(_ address: AddressInfo) -> String {
        var text = "\(address.address)/\(address.prefixLength)"
        if let broadcast = address.broadcast { text += " brd \(broadcast)" }
        text += " dev \(address.link)"
        if let label = address.label, label != address.link { text += " label \(label)" }
        if address.flags & 0x200 != 0 { text += " noprefixroute" } // IFA_F_NOPREFIXROUTE
        if let valid = address.validLifetime { text += " valid_lft \(valid)" }
        if let preferred = address.preferredLifetime { text += " preferred_lft \(preferred)" }
        return text
    }

    private static func describe(_ route: RouteInfo) -> String {
        var text = route.prefixLength == 0 ? "default" : "\(route.destination)/\(route.prefixLength)"
        if let gateway = route.gateway { text += " via \(gateway)" }
        text += " dev \(route.link)"
        if route.table != RouteInfo.mainTable { text += " table \(route.table)" }
        if route.metric != 0 { text += " metric \(route.metric)" }
        if let source = route.source { text += " src \(source)" }
        if route.scope == 253 { text += " scope link" } // RT_SCOPE_LINK
        // `ip route add` marks routes "boot" unless told otherwise; name any other origin.
        switch route.routingProtocol {
        case 3: break
        case 2: text += " proto kernel"
        case 4: text += " proto static"
        case 16: text += " proto dhcp"
        default: text += " proto \(route.routingProtocol)"
        }
        return text
    }
}
