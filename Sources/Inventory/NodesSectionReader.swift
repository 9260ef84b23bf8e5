import Yams

/// What `nodes:` declares, with the names and addresses its nodes refer to elsewhere.
struct NodesSection {
    var nodes: [ClusterNode] = []
    var groupReferences: [Reference] = []
    var imageReferences: [Reference] = []
    /// Each node's address, to place in a network.
    var addresses: [(ip: Located<IPv4Address>, subject: String)] = []
    /// Each node's `bmc:` as written, by node name, to check against its groups'.
    var bmcEntries: [String: BMCEntry] = [:]
}

/// Reads `nodes:`: each machine's MAC, address, name and boot settings; MACs, addresses and host names are
/// unique among nodes.
struct NodesSectionReader {
    let collector: DiagnosticCollector
    let bmcReader: BMCReader

    static let keys = ["mac", "ip", "groups", "hostname", "image", "root_path", "cmdline", "bmc", "boot", "secure_boot"]

    func read(_ section: Yams.Node?) -> NodesSection {
        let entries = collector.namedEntries(section, section: "nodes")
        var result = NodesSection()
        result.nodes.reserveCapacity(entries.count)
        var uniqueness = NodeUniqueness()
        for (name, node) in entries {
            let subject = "node \(name.value)"
            if !Names.isHostLabel(name.value) {
                collector.error(at: name.location, subject,
                                "'\(name.value)' is not a valid host name (letters, digits and inner hyphens, "
                                    + "at most 63 characters)")
            }
            guard let fields = collector.fields(of: node, subject: subject, ownerLocation: name.location,
                                                allowed: Self.keys, emptyAllowed: false) else { continue }
            collector.require("mac", in: fields)
            collector.require("ip", in: fields)
            let mac = readMAC(fields)
            let ip = collector.parsed("ip", in: fields, expected: "an IPv4 address like 192.168.1.11",
                                      IPv4Address.init)
            let hostname = collector.parsed("hostname", in: fields, expected: "a host name like compute1",
                                            { Names.isDomainName($0) ? $0 : nil })
            let groups = collector.strings("groups", in: fields) ?? []
            result.groupReferences += groups.map { Reference(name: $0, subject: subject) }
            let image = collector.string("image", in: fields)
            if let image { result.imageReferences.append(Reference(name: image, subject: subject)) }
            let rootPath = collector.rootPath(in: fields)
            let cmdline = collector.cmdline(in: fields)
            let bmc = bmcReader.read(fields)
            if let bmc {
                result.bmcEntries[name.value] = bmc
            }

            if let mac { uniqueness.claim(mac: mac, by: name.value, collector: collector, subject: subject) }
            if let ip {
                uniqueness.claim(ip: ip, by: name.value, collector: collector, subject: subject)
                result.addresses.append((ip, subject))
            }
            let effectiveHostname = Located(value: hostname?.value ?? name.value,
                                            location: hostname?.location ?? name.location)
            uniqueness.claim(hostname: effectiveHostname, by: name.value, collector: collector, subject: subject)

            let boot = collector.bootMethod(in: fields)
            let secureBoot = collector.secureBoot(in: fields)
            guard let mac, let ip else { continue }
            result.nodes.append(ClusterNode(name: name.value, mac: mac.value, ip: ip.value,
                                            groups: groups.map(\.value), hostname: hostname?.value,
                                            image: image?.value, rootPath: rootPath?.value, cmdline: cmdline?.value,
                                            location: name.location, bmc: bmc?.settings, boot: boot?.value,
                                            secureBoot: secureBoot?.value,
                                            bootKeys: collector.bootKeys(boot, secureBoot)))
        }
        return result
    }

    /// A MAC a NIC can have: not broadcast, not multicast, not all zeros (firmware sends its own unicast MAC,
    /// so a node written with one of those would never be recognised).
    private func readMAC(_ fields: Fields) -> Located<MACAddress>? {
        guard let mac = collector.parsed("mac", in: fields,
                                         expected: "six hex pairs like 52:54:00:00:00:01 or 52-54-00-00-00-01",
                                         MACAddress.init) else { return nil }
        let reason: String
        if mac.value.isBroadcast {
            reason = "is the broadcast address"
        } else if mac.value.isMulticast {
            reason = "is a multicast address (the low bit of its first byte is set)"
        } else if mac.value.isZero {
            reason = "is all zeros"
        } else {
            return mac
        }
        collector.error(at: mac.location, fields.subject,
                        "MAC \(mac.value) \(reason); a node is known by its NIC's own unicast MAC")
        return nil
    }
}
