import Bridge
import CNetlink
import Glibc
import Inventory

extension Netlink: NetworkChanger {
    /// Performs one step over rtnetlink; errors name the step (as its `ip` command) and the kernel's reason.
    public func apply(_ step: BridgeStep) throws {
        let what = step.command
        switch step {
        case let .createBridge(name, forwardDelay, stp):
            try sendBridgeLink(name: name, index: nil, [(IFLA_BR_FORWARD_DELAY, forwardDelay * 100),
                                                        (IFLA_BR_STP_STATE, stp ? 1 : 0)], what: what)
        case let .configureBridge(name, forwardDelay, stp, _, _):
            // With STP on the kernel refuses a forward delay under 2 s: turn STP off first, or on last.
            let index = try index(of: name)
            let delay = (IFLA_BR_FORWARD_DELAY, forwardDelay * 100), state = (IFLA_BR_STP_STATE, stp ? 1 : 0)
            for attribute in stp ? [delay, state] : [state, delay] {
                try sendBridgeLink(name: name, index: index, [attribute], what: what)
            }
        case .deleteLink(let link):
            let request = try allocated(rtnl_link_alloc(), "a link", what)
            defer { rtnl_link_put(request) }
            rtnl_link_set_name(request, link.name)
            try check(rtnl_link_delete(socket, request), what)
        case let .setMAC(link, mac, _):
            let address = try NetlinkAddress.build(mac)
            defer { nl_addr_put(address) }
            try change(link, what) { rtnl_link_set_addr($0, address) }
        case .setUp(let link):
            try change(link, what) { rtnl_link_set_flags($0, UInt32(IFF_UP)) }
        case .setDown(let link):
            try change(link, what) { rtnl_link_unset_flags($0, UInt32(IFF_UP)) }
        case let .enslave(port, bridge):
            try check(rtnl_link_enslave_ifindex(socket, try index(of: bridge), try index(of: port)), what)
        case .release(let port, _):
            try check(rtnl_link_release_ifindex(socket, try index(of: port)), what)
        case .addAddress(let address):
            try withAddress(address, what) { try check(rtnl_addr_add(socket, $0, 0), what) }
        case .deleteAddress(let address):
            try withAddress(address, what) { try check(rtnl_addr_delete(socket, $0, 0), what) }
        case .addRoute(let route):
            try withRoute(route, what) { try check(rtnl_route_add(socket, $0, Int32(NLM_F_CREATE | NLM_F_EXCL)), what) }
        case .deleteRoute(let route):
            try withRoute(route, what) { try check(rtnl_route_delete(socket, $0, 0), what) }
        case .plumbContainer(let plumbing):
            try plumb(plumbing)
        case .unplumbContainer(let plumbing):
            try apply(.deleteLink(LinkInfo(name: plumbing.hostEnd, kind: "veth")))
        }
    }

    /// The veth pair for a container: both ends made here, the peer moved into the container's namespace and
    /// configured there. A failure part-way deletes the pair, so the step leaves nothing behind.
    private func plumb(_ plumbing: ContainerPlumbing) throws {
        let temporaryPeer = "nrp\(getpid() % 1_000_000)"
        try check(rtnl_link_veth_add(socket, plumbing.hostEnd, temporaryPeer, getpid()),
                  "create veth \(plumbing.hostEnd) for container \(plumbing.container)")
        do {
            let namespace = open(plumbing.namespace, O_RDONLY | O_CLOEXEC)
            guard namespace >= 0 else {
                // The catch below names the container (it said it twice).
                throw NetlinkError("cannot open its namespace \(plumbing.namespace): " + String(cString: strerror(errno)))
            }
            defer { close(namespace) }
            try apply(.setMAC(link: plumbing.hostEnd, mac: plumbing.hostMAC, previous: nil))
            try apply(.setMAC(link: temporaryPeer, mac: plumbing.containerMAC, previous: nil))
            try apply(.enslave(port: plumbing.hostEnd, bridge: plumbing.bridge))
            try apply(.setUp(link: plumbing.hostEnd))
            try change(temporaryPeer, "move \(temporaryPeer) into \(plumbing.namespace)") {
                rtnl_link_set_ns_fd($0, namespace)
            }
            let inside = try Netlink(namespace: namespace, path: plumbing.namespace)
            // The peer arrives down in the container, where it takes its stable name.
            try inside.change(temporaryPeer, "rename \(temporaryPeer) to \(plumbing.interface) in \(plumbing.namespace)") {
                rtnl_link_set_name($0, plumbing.interface)
            }
            try inside.apply(.addAddress(AddressInfo(link: plumbing.interface, address: plumbing.address,
                                                     prefixLength: plumbing.prefixLength)))
            try inside.apply(.setUp(link: plumbing.interface))
            if let gateway = plumbing.gateway {
                try inside.apply(.addRoute(RouteInfo(link: plumbing.interface, destination: IPv4Address(0),
                                                     prefixLength: 0, gateway: gateway,
                                                     routingProtocol: RouteInfo.staticProtocol)))
            }
        } catch {
            try? apply(.deleteLink(LinkInfo(name: plumbing.hostEnd, kind: "veth")))
            throw NetlinkError("container \(plumbing.container): \(error)")
        }
    }

    /// RTM_NEWLINK for a bridge with IFLA_BR_* attributes (forward delay in centiseconds, STP state; libnl 3.7
    /// has no setters for them): a new bridge when `index` is nil, else a change of the existing one.
    private func sendBridgeLink(name: String, index: Int32?, _ attributes: [(Int, Int)], what: String) throws {
        var flags = NLM_F_REQUEST | NLM_F_ACK
        if index == nil { flags |= NLM_F_CREATE | NLM_F_EXCL }
        guard let message = nlmsg_alloc_simple(Int32(RTM_NEWLINK), Int32(flags)) else {
            throw NetlinkError("\(what): cannot allocate a netlink message")
        }
        defer { nlmsg_free(message) }
        var header = ifinfomsg()
        header.ifi_family = UInt8(AF_UNSPEC)
        header.ifi_index = index ?? 0
        try check(nlmsg_append(message, &header, MemoryLayout<ifinfomsg>.size, Int32(NLMSG_ALIGNTO)), what)
        if index == nil { try check(nla_put_string(message, Int32(IFLA_IFNAME), name), what) }
        guard let info = nla_nest_start(message, Int32(IFLA_LINKINFO)) else { throw NetlinkError("\(what): message full") }
        try check(nla_put_string(message, Int32(IFLA_INFO_KIND), "bridge"), what)
        guard let data = nla_nest_start(message, Int32(IFLA_INFO_DATA)) else { throw NetlinkError("\(what): message full") }
        for (type, value) in attributes { try check(nla_put_u32(message, Int32(type), UInt32(value)), what) }
        nla_nest_end(message, data)
        nla_nest_end(message, info)
        try check(nl_send_auto(socket, message), what)
        try check(nl_wait_for_ack(socket), what)
    }

    /// rtnl_link_change with a request object that `edit` fills in.
    func change(_ link: String, _ what: String, _ edit: (OpaquePointer) -> Void) throws {
        try withLink(link) { original in
            let request = try allocated(rtnl_link_alloc(), "a link", what)
            defer { rtnl_link_put(request) }
            edit(request)
            try check(rtnl_link_change(socket, original, request, 0), what)
        }
    }

    private func withAddress(_ address: AddressInfo, _ what: String, _ body: (OpaquePointer) throws -> Void) throws {
        let request = try allocated(rtnl_addr_alloc(), "an address", what)
        defer { rtnl_addr_put(request) }
        rtnl_addr_set_ifindex(request, try index(of: address.link))
        let local = try NetlinkAddress.build(address.address, prefixLength: address.prefixLength)
        defer { nl_addr_put(local) }
        try check(rtnl_addr_set_local(request, local), what)
        if let broadcast = address.broadcast {
            let built = try NetlinkAddress.build(broadcast)
            defer { nl_addr_put(built) }
            try check(rtnl_addr_set_broadcast(request, built), what)
        }
        if let label = address.label { try check(rtnl_addr_set_label(request, label), what) }
        // The kernel decides "secondary" itself; the rest (noprefixroute, …) is the administrator's.
        rtnl_addr_set_flags(request, address.flags & ~UInt32(IFA_F_SECONDARY))
        rtnl_addr_set_scope(request, Int32(address.scope))
        if let valid = address.validLifetime { rtnl_addr_set_valid_lifetime(request, valid) }
        if let preferred = address.preferredLifetime { rtnl_addr_set_preferred_lifetime(request, preferred) }
        try body(request)
    }

    private func withRoute(_ route: RouteInfo, _ what: String, _ body: (OpaquePointer) throws -> Void) throws {
        let request = try allocated(rtnl_route_alloc(), "a route", what)
        defer { rtnl_route_put(request) }
        rtnl_route_set_family(request, UInt8(AF_INET))
        rtnl_route_set_table(request, route.table)
        let destination = try NetlinkAddress.build(route.destination, prefixLength: route.prefixLength)
        defer { nl_addr_put(destination) }
        try check(rtnl_route_set_dst(request, destination), what)
        rtnl_route_set_priority(request, route.metric)
        rtnl_route_set_scope(request, route.scope)
        rtnl_route_set_protocol(request, route.routingProtocol)
        try check(rtnl_route_set_type(request, route.type), what)
        if let source = route.source {
            let built = try NetlinkAddress.build(source)
            defer { nl_addr_put(built) }
            try check(rtnl_route_set_pref_src(request, built), what)
        }
        // Everything that can throw comes before the hop exists: nothing frees a hop the route does not own yet.
        let linkIndex = try index(of: route.link)
        let gateway = try route.gateway.map { try NetlinkAddress.build($0) }
        defer { if let gateway { nl_addr_put(gateway) } }
        let hop = try allocated(rtnl_route_nh_alloc(), "a next hop", what)
        rtnl_route_nh_set_ifindex(hop, linkIndex)
        if let gateway { rtnl_route_nh_set_gateway(hop, gateway) } // the hop takes its own reference
        rtnl_route_add_nexthop(request, hop) // the route owns the hop from here
        try body(request)
    }

    /// A libnl allocation, or an error naming the step when the allocator ran out of memory.
    private func allocated(_ object: OpaquePointer?, _ kind: String, _ what: String) throws -> OpaquePointer {
        guard let object else { throw NetlinkError("\(what): cannot allocate \(kind)") }
        return object
    }
}
