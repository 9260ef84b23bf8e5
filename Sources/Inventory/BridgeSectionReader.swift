import Yams

/// Reads `bridge:`: the bridge the bridge manager builds at start.
struct BridgeSectionReader {
    let collector: DiagnosticCollector

    static let keys = ["name", "uplink", "forward_delay", "stp"]

    func read(_ node: Yams.Node) -> BridgeSettings? {
        guard let fields = collector.fields(of: node, subject: "bridge", ownerLocation: node.location,
                                            allowed: Self.keys, emptyAllowed: false) else { return nil }
        collector.require("name", in: fields)
        let name = collector.interfaceName("name", in: fields)
        let uplink = collector.interfaceName("uplink", in: fields)
        let forwardDelay = collector.parsed("forward_delay", in: fields, expected: "whole seconds from 0 to 30") {
            Int($0).flatMap { (0...30).contains($0) ? $0 : nil }
        }
        let stp = collector.parsed("stp", in: fields, expected: "true or false", parseBool)
        if let stp, stp.value, (forwardDelay?.value ?? BridgeSettings.defaultForwardDelay) < 2 {
            // The kernel refuses STP with a forward delay under 2 s (and PXE wants 0 with STP off).
            collector.error(at: forwardDelay?.location ?? stp.location, "bridge",
                            "with stp: true the forward_delay must be 2 to 30 seconds")
        }
        if let name, let uplink, name.value == uplink.value {
            collector.error(at: uplink.location, "bridge", "the uplink cannot be the bridge itself ('\(name.value)')")
        }
        guard let name else { return nil }
        return BridgeSettings(name: name.value, uplink: uplink?.value,
                              forwardDelay: forwardDelay?.value ?? BridgeSettings.defaultForwardDelay,
                              stp: stp?.value ?? BridgeSettings.defaultSTP)
    }
}
