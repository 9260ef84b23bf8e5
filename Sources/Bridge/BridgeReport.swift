import Inventory

/// Text for `netroot bridge status` (pure).
public enum BridgeReport {
    public static func status(_ settings: BridgeSettings, state: NetworkState, pending: [BridgeStep],
                              containers: [ContainerSettings] = []) -> String {
        var lines: [String] = []
        if let bridge = state.link(settings.name) {
            var head = "bridge \(bridge.name): \(bridge.isUp ? "up" : "down")"
            if let mac = bridge.mac { head += ", MAC \(mac)" }
            if let forwardDelay = bridge.forwardDelay { head += ", forward delay \(forwardDelay) s" }
            if let stp = bridge.stp { head += ", STP \(stp ? "on" : "off")" }
            if bridge.kind != "bridge" { head += " (not a bridge: \(bridge.kind ?? "a device"))" }
            lines.append(head)
            let ports = state.links.filter { $0.master == bridge.name }
            lines.append("  ports: " + (ports.isEmpty ? "none"
                : ports.map { "\($0.name)\($0.isUp ? "" : " (down)")" }.joined(separator: ", ")))
            let addresses = state.addresses(on: bridge.name)
            lines.append("  addresses: " + (addresses.isEmpty ? "none"
                : addresses.map { "\($0.address)/\($0.prefixLength)" }.joined(separator: ", ")))
            let routes = state.routes.filter { $0.link == bridge.name && $0.table != RouteInfo.localTable }
            lines.append("  routes: " + (routes.isEmpty ? "none" : routes.map(describe).joined(separator: "; ")))
        } else {
            lines.append("bridge \(settings.name): absent")
        }
        if let uplink = settings.uplink {
            let left = state.addresses(on: uplink)
            lines.append("  uplink \(uplink): " + (state.link(uplink) == nil ? "absent"
                : left.isEmpty ? "no IPv4 address left on it" : "still has " + left.map { "\($0.address)/\($0.prefixLength)" }.joined(separator: ", ")))
        }
        for container in containers {
            let plumbing = ContainerPlumbing(container, bridge: settings.name)
            let location = "\(plumbing.interface) \(container.address)/\(container.prefixLength) in \(plumbing.namespace)"
            if let end = state.link(plumbing.hostEnd) {
                lines.append("  container \(container.name): \(location), through \(end.name)"
                             + (end.master == settings.name ? "" : " (not a port of \(settings.name))"))
            } else {
                lines.append("  container \(container.name): not plumbed (\(location))")
            }
        }
        if pending.isEmpty {
            lines.append("matches nodes.yaml (forward delay \(settings.forwardDelay) s, STP \(settings.stp ? "on" : "off")"
                         + (settings.uplink.map { ", uplink \($0)" } ?? "") + ")")
        } else {
            lines.append("differs from nodes.yaml; `netroot bridge up` would run:")
            lines += pending.map { "  " + $0.command }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func describe(_ route: RouteInfo) -> String {
        var text = route.prefixLength == 0 ? "default" : "\(route.destination)/\(route.prefixLength)"
        if let gateway = route.gateway { text += " via \(gateway)" }
        if route.metric != 0 { text += " metric \(route.metric)" }
        if route.routingProtocol == RouteInfo.kernelProtocol { text += " (kernel)" }
        return text
    }
}
