import Yams

/// One entry of `containers:` as written; the cross-reference pass places it in a network.
struct ContainerEntry {
    var name: String
    var subject: String
    /// The address and, when written, its prefix length.
    var address: Located<(address: IPv4Address, prefixLength: Int?)>
    var gateway: Located<IPv4Address>?
    /// Nil when neither or both of `netns` and `pid` were given (already reported).
    var namespace: ContainerNamespace?
    var interface: String
}

/// What `containers:` declares.
struct ContainersSection {
    var entries: [ContainerEntry] = []
    /// Where `containers:` was written, for "needs a bridge"; nil when the section is absent or empty.
    var sectionLocation: SourceLocation?
}

/// Reads `containers:`: containers given a static address on the bridge.
struct ContainersSectionReader {
    let collector: DiagnosticCollector

    static let keys = ["address", "gateway", "netns", "pid", "interface"]

    func read(_ section: Yams.Node?, sectionLocation: SourceLocation?) -> ContainersSection {
        let entries = collector.namedEntries(section, section: "containers")
        var result = ContainersSection(sectionLocation: entries.isEmpty ? nil : sectionLocation)
        for (name, node) in entries {
            let subject = "container \(name.value)"
            if !Names.isHostLabel(name.value) {
                collector.error(at: name.location, subject, "'\(name.value)' is not a valid name (letters, digits and "
                                    + "inner hyphens)")
            }
            guard let fields = collector.fields(of: node, subject: subject, ownerLocation: name.location,
                                                allowed: Self.keys, emptyAllowed: false) else { continue }
            collector.require("address", in: fields)
            let address = collector.parsed("address", in: fields, expected: "an IPv4 address with its prefix "
                                               + "like 192.168.1.250/24", Self.addressWithPrefix)
            let gateway = collector.parsed("gateway", in: fields, expected: "an IPv4 address like 192.168.1.1",
                                           IPv4Address.init)
            let path = collector.string("netns", in: fields)
            let pid = collector.parsed("pid", in: fields, expected: "a process ID like 4242") {
                Int($0).flatMap { $0 > 0 ? $0 : nil }
            }
            let interface = collector.interfaceName("interface", in: fields)
            if (fields["netns"] == nil) == (fields["pid"] == nil) {
                collector.error(at: path?.location ?? name.location, subject,
                                "give exactly one of 'netns' (a namespace path) and 'pid' (a process in it)")
            }
            guard let address else { continue }
            result.entries.append(ContainerEntry(
                name: name.value, subject: subject, address: address, gateway: gateway,
                namespace: path.map { ContainerNamespace.path($0.value) } ?? pid.map { ContainerNamespace.pid($0.value) },
                interface: interface?.value ?? ContainerSettings.defaultInterface))
        }
        return result
    }

    /// `192.168.1.250/24` or `192.168.1.250` (the prefix then comes from the network).
    private static func addressWithPrefix(_ text: String) -> (address: IPv4Address, prefixLength: Int?)? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard let address = IPv4Address(String(parts[0])) else { return nil }
        if parts.count == 1 { return (address, nil) }
        guard parts.count == 2, let prefix = Int(parts[1]), (1...32).contains(prefix) else { return nil }
        return (address, prefix)
    }
}
