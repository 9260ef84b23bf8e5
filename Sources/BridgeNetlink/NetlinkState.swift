import Bridge
import CNetlink
import Foundation
import Inventory

extension Netlink {
    /// Every link, IPv4 address and single-path IPv4 route of this namespace.
    public func readState() throws -> NetworkState {
        var names: [Int32: String] = [:]
        var links: [LinkInfo] = []
        try eachObject({ rtnl_link_alloc_cache(socket, AF_UNSPEC, &$0) }, "list interfaces") { link in
            let name = String(cString: rtnl_link_get_name(link))
            names[rtnl_link_get_ifindex(link)] = name
            var info = LinkInfo(name: name, mac: NetlinkAddress.mac(rtnl_link_get_addr(link)),
                                isUp: rtnl_link_get_flags(link) & UInt32(IFF_UP) != 0,
                                kind: rtnl_link_get_type(link).map { String(cString: $0) })
            if info.kind == "bridge" {
                // libnl 3.7 cannot read IFLA_BR_*; sysfs has them (per namespace under `ip netns exec`).
                info.forwardDelay = Self.sysfsNumber(name, "forward_delay").map { $0 / 100 }
                info.stp = Self.sysfsNumber(name, "stp_state").map { $0 != 0 }
            }
            links.append(info)
        }
        var masters: [String: Int32] = [:]
        try eachObject({ rtnl_link_alloc_cache(socket, AF_UNSPEC, &$0) }, "list interfaces") { link in
            let master = rtnl_link_get_master(link)
            if master > 0 { masters[String(cString: rtnl_link_get_name(link))] = master }
        }
        for index in links.indices { links[index].master = masters[links[index].name].flatMap { names[$0] } }

        var addresses: [AddressInfo] = []
        try eachObject({ rtnl_addr_alloc_cache(socket, &$0) }, "list addresses") { address in
            guard rtnl_addr_get_family(address) == AF_INET,
                  let link = names[rtnl_addr_get_ifindex(address)],
                  let local = NetlinkAddress.ipv4(rtnl_addr_get_local(address)) else { return }
            let valid = rtnl_addr_get_valid_lifetime(address)
            let preferred = rtnl_addr_get_preferred_lifetime(address)
            addresses.append(AddressInfo(
                link: link, address: local, prefixLength: Int(rtnl_addr_get_prefixlen(address)),
                broadcast: NetlinkAddress.ipv4(rtnl_addr_get_broadcast(address)),
                label: rtnl_addr_get_label(address).map { String(cString: $0) },
                flags: rtnl_addr_get_flags(address), scope: UInt8(rtnl_addr_get_scope(address)),
                validLifetime: valid == UInt32.max || valid == 0 ? nil : valid,
                preferredLifetime: preferred == UInt32.max || preferred == 0 ? nil : preferred))
        }

        var routes: [RouteInfo] = []
        try eachObject({ rtnl_route_alloc_cache(socket, AF_INET, 0, &$0) }, "list routes") { route in
            // Multipath routes are not moved: no uplink of a provisioning host should carry one.
            guard rtnl_route_get_nnexthops(route) == 1, let hop = rtnl_route_nexthop_n(route, 0),
                  let link = names[rtnl_route_nh_get_ifindex(hop)] else { return }
            let destination = rtnl_route_get_dst(route)
            routes.append(RouteInfo(
                link: link, destination: NetlinkAddress.ipv4(destination) ?? IPv4Address(0),
                prefixLength: destination.map { Int(nl_addr_get_prefixlen($0)) } ?? 0,
                gateway: NetlinkAddress.ipv4(rtnl_route_nh_get_gateway(hop)),
                metric: rtnl_route_get_priority(route),
                source: NetlinkAddress.ipv4(rtnl_route_get_pref_src(route)),
                table: rtnl_route_get_table(route), scope: UInt8(rtnl_route_get_scope(route)),
                routingProtocol: UInt8(rtnl_route_get_protocol(route)), type: UInt8(rtnl_route_get_type(route))))
        }
        return NetworkState(links: links, addresses: addresses, routes: routes)
    }

    /// Fills a libnl cache and walks its objects; the cache is freed afterwards.
    private func eachObject(_ fill: (inout OpaquePointer?) -> Int32, _ what: String,
                            _ body: (OpaquePointer) -> Void) throws {
        var cache: OpaquePointer?
        try check(fill(&cache), what)
        defer { nl_cache_free(cache) }
        var object = nl_cache_get_first(cache)
        while let current = object {
            body(current)
            object = nl_cache_get_next(current)
        }
    }

    private static func sysfsNumber(_ bridge: String, _ attribute: String) -> Int? {
        let path = "/sys/class/net/\(bridge)/bridge/\(attribute)"
        return (try? String(contentsOfFile: path, encoding: .utf8))
            .flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }
}
