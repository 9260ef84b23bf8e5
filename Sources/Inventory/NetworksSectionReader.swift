import Yams

/// What `networks:` declares, with what the cross-reference pass needs to check against it.
struct NetworksSection {
    var networks: [Network] = []
    /// Where each network's pool was written, by network name.
    var poolLocations: [String: SourceLocation] = [:]
    /// A network whose subnet could not be read may be the one an address meant; its own error says enough.
    var someSubnetInvalid = false
}

/// Reads `networks:`: subnets, their routers, DNS, domain, lease time and pool, each checked within its network.
struct NetworksSectionReader {
    let collector: DiagnosticCollector

    static let keys = ["subnet", "router", "dns", "domain", "lease_time", "pool"]
    /// Option 6 carries 4 bytes per server in at most 255.
    static let maximumDNSServers = 63

    func read(_ section: Yams.Node?) -> NetworksSection {
        var result = NetworksSection()
        for (name, node) in collector.namedEntries(section, section: "networks") {
            let subject = "network \(name.value)"
            guard let fields = collector.fields(of: node, subject: subject, ownerLocation: name.location,
                                                allowed: Self.keys, emptyAllowed: false) else {
                result.someSubnetInvalid = true
                continue
            }
            collector.require("subnet", in: fields)
            let subnet = readSubnet(fields)
            if subnet == nil { result.someSubnetInvalid = true }
            let router = collector.parsed("router", in: fields, expected: "an IPv4 address", IPv4Address.init)
            let dns = readDNS(fields)
            let domain = collector.parsed("domain", in: fields, expected: "a DNS domain like cluster.local",
                                          { Names.isDomainName($0) ? $0 : nil })
            let leaseTime = collector.parsed("lease_time", in: fields,
                                             expected: "a duration like 12h, 30m, 1h30m, 3600 or infinite",
                                             LeaseDuration.init)
            let pool = collector.parsed("pool", in: fields, expected: "a range like 192.168.1.100-192.168.1.199",
                                        IPv4Range.init)
            guard let subnet else { continue }
            if let clash = result.networks.first(where: { $0.subnet.overlaps(subnet.value) }) {
                collector.error(at: subnet.location, subject,
                                "subnet \(subnet.value) overlaps network \(clash.name) (\(clash.subnet))")
            }
            if let router { checkHostAddress(router, named: "router", in: subnet.value, subject: subject) }
            if let pool {
                checkPool(pool, subnet: subnet.value, router: router?.value, subject: subject)
                result.poolLocations[name.value] = pool.location
            }
            result.networks.append(Network(name: name.value, subnet: subnet.value, router: router?.value, dns: dns,
                                           domain: domain?.value,
                                           leaseTime: leaseTime?.value ?? Network.defaultLeaseTime,
                                           pool: pool?.value, location: name.location))
        }
        return result
    }

    private func readDNS(_ fields: Fields) -> [IPv4Address] {
        let texts = collector.strings("dns", in: fields) ?? []
        let servers = texts.compactMap { text -> IPv4Address? in
            guard let address = IPv4Address(text.value) else {
                collector.error(at: text.location, fields.subject,
                                "invalid dns server '\(text.value)' (expected an IPv4 address)")
                return nil
            }
            return address
        }
        if texts.count > Self.maximumDNSServers, let key = fields.entries["dns"]?.key {
            collector.error(at: key.location, fields.subject, "\(texts.count) dns servers do not fit DHCP option 6 "
                                + "(255 bytes); at most \(Self.maximumDNSServers) do")
        }
        return servers
    }

    private func readSubnet(_ fields: Fields) -> Located<IPv4Subnet>? {
        guard let text = collector.string("subnet", in: fields) else { return nil }
        switch IPv4Subnet.parse(text.value) {
        case .success(let subnet):
            return Located(value: subnet, location: text.location)
        case .failure(.hostBitsSet(let suggestion)):
            collector.error(at: text.location, fields.subject,
                            "subnet '\(text.value)' has host bits set (did you mean '\(suggestion)'?)")
        case .failure(.malformed):
            collector.error(at: text.location, fields.subject,
                            "invalid subnet '\(text.value)' (expected CIDR like 192.168.1.0/24)")
        }
        return nil
    }

    private func checkHostAddress(_ address: Located<IPv4Address>, named what: String, in subnet: IPv4Subnet,
                                  subject: String) {
        if !subnet.contains(address.value) {
            collector.error(at: address.location, subject, "\(what) \(address.value) is outside subnet \(subnet)")
        } else if subnet.isReservedAddress(address.value) {
            collector.error(at: address.location, subject,
                            "\(what) \(address.value) is the \(reservedName(address.value, subnet)) of \(subnet)")
        }
    }

    /// The pool's own shape and its place in the network; whether it holds the server's address is a
    /// cross-reference (`CrossReferences.checkPools`).
    private func checkPool(_ pool: Located<IPv4Range>, subnet: IPv4Subnet, router: IPv4Address?, subject: String) {
        let range = pool.value
        guard range.isAscending else {
            collector.error(at: pool.location, subject, "pool \(range) ends before it starts")
            return
        }
        guard subnet.contains(range.first), subnet.contains(range.last) else {
            collector.error(at: pool.location, subject, "pool \(range) is not inside subnet \(subnet)")
            return
        }
        for end in range.first == range.last ? [range.first] : [range.first, range.last]
            where subnet.isReservedAddress(end) {
            collector.error(at: pool.location, subject,
                            "pool \(range) includes the \(reservedName(end, subnet)) \(end)")
        }
        if let router, range.contains(router) {
            collector.error(at: pool.location, subject, "pool \(range) includes the router \(router)")
        }
    }
}
