/// Remembers who claimed each MAC, IP and host name, so the second claimant is told who has it.
struct NodeUniqueness {
    private var macs: [MACAddress: (node: String, line: Int)] = [:]
    private var ips: [IPv4Address: (node: String, line: Int)] = [:]
    /// Host names compare without case, as DNS does.
    private var hostnames: [String: (node: String, line: Int)] = [:]

    mutating func claim(mac: Located<MACAddress>, by node: String, collector: DiagnosticCollector, subject: String) {
        Self.claim(mac.value, at: mac.location, in: &macs, by: node, collector: collector, subject: subject,
                   what: "MAC \(mac.value)")
    }

    mutating func claim(ip: Located<IPv4Address>, by node: String, collector: DiagnosticCollector, subject: String) {
        Self.claim(ip.value, at: ip.location, in: &ips, by: node, collector: collector, subject: subject,
                   what: "IP \(ip.value)")
    }

    mutating func claim(hostname: Located<String>, by node: String, collector: DiagnosticCollector, subject: String) {
        Self.claim(hostname.value.lowercased(), at: hostname.location, in: &hostnames, by: node, collector: collector,
                   subject: subject, what: "host name '\(hostname.value)'")
    }

    private static func claim<Key: Hashable>(_ key: Key, at location: SourceLocation,
                                             in owners: inout [Key: (node: String, line: Int)], by node: String,
                                             collector: DiagnosticCollector, subject: String, what: String) {
        if let owner = owners[key] {
            collector.error(at: location, subject, "\(what) is already used by node \(owner.node) (line \(owner.line))")
        } else {
            owners[key] = (node, location.line)
        }
    }
}
