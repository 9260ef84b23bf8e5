/// Remembers who claimed each MAC, IP and host name, so the second claimant is told who has it.
struct NodeUniqueness {
    private var macs: [MACAddress: (node: String, line: Int)] = [:]
    private var ips: [IPv4Address: (node: String, line: Int)] = [:]
    private var hostnames: [String: (node: String, line: Int)] = [:]

    mutating func claim(mac: Located<MACAddress>, by node: String, collector: DiagnosticCollector, subject: String) {
        if let owner = macs[mac.value] {
            collector.error(at: mac.location, subject,
                            "MAC \(mac.value) is already used by node \(owner.node) (line \(owner.line))")
        } else {
            macs[mac.value] = (node, mac.location.line)
        }
    }

    mutating func claim(ip: Located<IPv4Address>, by node: String, collector: DiagnosticCollector, subject: String) {
        if let owner = ips[ip.value] {
            collector.error(at: ip.location, subject,
                            "IP \(ip.value) is already used by node \(owner.node) (line \(owner.line))")
        } else {
            ips[ip.value] = (node, ip.location.line)
        }
    }

    /// Host names compare without case, as DNS does.
    mutating func claim(hostname: Located<String>, by node: String, collector: DiagnosticCollector, subject: String) {
        let key = hostname.value.lowercased()
        if let owner = hostnames[key] {
            collector.error(at: hostname.location, subject,
                            "host name '\(hostname.value)' is already used by node \(owner.node) (line \(owner.line))")
        } else {
            hostnames[key] = (node, hostname.location.line)
        }
    }
}
