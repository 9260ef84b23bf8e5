import Yams

/// Reads each section of a composed inventory into the model, reporting every problem it meets.
struct InventoryReader {
    let collector: DiagnosticCollector
    let baseDirectory: String
    let fileExists: (String) -> Bool

    // Names declared in each section, even when their settings had errors, so a reference to them
    // does not raise a second, misleading error.
    private var declaredImages: Set<String> = []
    private var declaredGroups: Set<String> = []
    private var someSubnetInvalid = false

    init(collector: DiagnosticCollector, baseDirectory: String, fileExists: @escaping (String) -> Bool) {
        self.collector = collector
        self.baseDirectory = baseDirectory
        self.fileExists = fileExists
    }

    static let serverKeys = ["interface", "address", "tftp_root", "state_dir", "bootfile", "router_advertisements",
                             "http", "rogue_probe_interval", "tftp_max_transfers", "tftp_max_transfers_per_client"]
    static let bootfileKeys = ["bios", "uefi"]
    static let bridgeKeys = ["name", "uplink", "forward_delay", "stp"]
    static let networkKeys = ["subnet", "router", "dns", "domain", "lease_time", "pool"]
    static let imageKeys = ["kernel", "initrd", "root_path", "cmdline", "export"]
    static let groupKeys = ["image", "root_path", "cmdline"]
    static let nodeKeys = ["mac", "ip", "groups", "hostname", "image", "root_path", "cmdline"]
    static let containerKeys = ["address", "gateway", "netns", "pid", "interface"]

    /// NFS export paths already claimed, by image.
    private var exportPaths: [String: String] = [:]

    /// The server section once read, even when other sections have errors.
    private(set) var server: ServerSettings?

    mutating func read(_ root: Yams.Node) -> Inventory? {
        guard let top = collector.fields(of: root, subject: nil, ownerLocation: root.location,
                                         allowed: InventoryLoader.sections) else { return nil }
        let server = readServer(top)
        self.server = server
        let networks = readNetworks(top["networks"], server: server)
        let images = readImages(top["images"], server: server)
        let groups = readGroups(top["groups"])
        let bridge = top["bridge"].flatMap(readBridge)
        let nodes = readNodes(top["nodes"], networks: networks, server: server)
        let containers = readContainers(top["containers"], networks: networks, server: server, nodes: nodes,
                                        bridge: bridge, sectionLocation: top.entries["containers"]?.key.location)
        guard let server, !collector.hasErrors else { return nil }
        return Inventory(file: collector.file, server: server, bridge: bridge, networks: networks, images: images,
                         groups: groups, nodes: nodes, containers: containers)
    }

    // MARK: server

    private func readServer(_ top: Fields) -> ServerSettings? {
        guard let node = top["server"] else {
            collector.error(at: top.ownerLocation, nil, "missing required section 'server' (it needs an 'interface:')")
            return nil
        }
        let location = top.entries["server"]!.key.location
        guard let fields = collector.fields(of: node, subject: "server", ownerLocation: location,
                                            allowed: Self.serverKeys, emptyAllowed: false) else { return nil }
        collector.require("interface", in: fields)
        let interface = interfaceName("interface", in: fields)
        let address = collector.parsed("address", in: fields, expected: "an IPv4 address like 192.168.1.200",
                                       IPv4Address.init)
        let tftpRoot = collector.string("tftp_root", in: fields)
        let stateDirectory = collector.string("state_dir", in: fields)
        let advertise = collector.parsed("router_advertisements", in: fields, expected: "true or false", parseBool)
        let http = collector.parsed("http", in: fields, expected: "an address and port like 127.0.0.1:9100",
                                    HTTPListen.init)
        let probeInterval = collector.parsed("rogue_probe_interval", in: fields,
                                             expected: "a duration of at least 10s like 5m, or 0 or off",
                                             parseProbeInterval)
        let maximumTransfers = collector.parsed("tftp_max_transfers", in: fields,
                                                expected: "a whole number of transfers from 1 to 60000", parseTransferLimit)
        let maximumPerClient = collector.parsed("tftp_max_transfers_per_client", in: fields,
                                                expected: "a whole number of transfers from 1 to 60000", parseTransferLimit)
        var bios = Resolved(ServerSettings.defaultBIOSBootfile, from: .defaultValue)
        var uefi = Resolved(ServerSettings.defaultUEFIBootfile, from: .defaultValue)
        let tftpRootPath = absolutePath(tftpRoot?.value ?? ServerSettings.defaultTFTPRoot)
        let tftpRootExists = fileExists(tftpRootPath)
        if !tftpRootExists {
            collector.warning(at: tftpRoot?.location ?? location, "server", "tftp_root \(tftpRootPath) does not exist")
        }
        if let bootfileNode = fields["bootfile"],
           let bootfiles = collector.fields(of: bootfileNode, subject: "server.bootfile",
                                            ownerLocation: fields.entries["bootfile"]!.key.location,
                                            allowed: Self.bootfileKeys) {
            // Only files named here are checked: the defaults may be absent on purpose (BIOS-only clusters).
            if let file = tftpPath("bios", in: bootfiles) {
                bios = Resolved(file.value, from: .server)
                if tftpRootExists { warnIfMissing(file, what: "bootfile", root: tftpRootPath, subject: "server.bootfile") }
            }
            if let file = tftpPath("uefi", in: bootfiles) {
                uefi = Resolved(file.value, from: .server)
                if tftpRootExists { warnIfMissing(file, what: "bootfile", root: tftpRootPath, subject: "server.bootfile") }
            }
        }
        guard let interface else { return nil }
        return ServerSettings(interface: interface.value, address: address?.value, tftpRoot: tftpRootPath,
                              stateDirectory: absolutePath(stateDirectory?.value ?? ServerSettings.defaultStateDirectory),
                              biosBootfile: bios, uefiBootfile: uefi,
                              routerAdvertisements: advertise?.value ?? ServerSettings.defaultRouterAdvertisements,
                              http: http?.value,
                              rogueProbeInterval: probeInterval?.value ?? ServerSettings.defaultRogueProbeInterval,
                              tftpMaximumTransfers: maximumTransfers?.value ?? ServerSettings.defaultTFTPMaximumTransfers,
                              tftpMaximumTransfersPerClient: maximumPerClient?.value
                                  ?? ServerSettings.defaultTFTPMaximumTransfersPerClient)
    }

    /// Each transfer holds a port of its own (two sockets): more than a port range's worth cannot run.
    private func parseTransferLimit(_ text: String) -> Int? {
        guard let value = Int(text), (1...60_000).contains(value) else { return nil }
        return value
    }

    /// Seconds, 0 for off; under 10 s a round (a few seconds of listening) would barely end before the next.
    private func parseProbeInterval(_ text: String) -> Int? {
        if text == "0" || text == "off" { return 0 }
        guard let duration = LeaseDuration(text), duration != .infinite, duration.seconds >= 10 else { return nil }
        return Int(duration.seconds)
    }

    // MARK: bridge

    private func readBridge(_ node: Yams.Node) -> BridgeSettings? {
        guard let fields = collector.fields(of: node, subject: "bridge", ownerLocation: node.location,
                                            allowed: Self.bridgeKeys, emptyAllowed: false) else { return nil }
        collector.require("name", in: fields)
        let name = interfaceName("name", in: fields)
        let uplink = interfaceName("uplink", in: fields)
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

    // MARK: networks

    private mutating func readNetworks(_ section: Yams.Node?, server: ServerSettings?) -> [Network] {
        var networks: [Network] = []
        for (name, node) in collector.namedEntries(section, section: "networks") {
            let subject = "network \(name.value)"
            guard let fields = collector.fields(of: node, subject: subject, ownerLocation: name.location,
                                                allowed: Self.networkKeys, emptyAllowed: false) else {
                someSubnetInvalid = true
                continue
            }
            collector.require("subnet", in: fields)
            let subnet = readSubnet(fields)
            if subnet == nil { someSubnetInvalid = true }
            let router = collector.parsed("router", in: fields, expected: "an IPv4 address", IPv4Address.init)
            let dns = (collector.strings("dns", in: fields) ?? []).compactMap { text -> IPv4Address? in
                guard let address = IPv4Address(text.value) else {
                    collector.error(at: text.location, subject, "invalid dns server '\(text.value)' (expected an IPv4 address)")
                    return nil
                }
                return address
            }
            let domain = collector.parsed("domain", in: fields, expected: "a DNS domain like cluster.local",
                                          { Names.isDomainName($0) ? $0 : nil })
            let leaseTime = collector.parsed("lease_time", in: fields,
                                             expected: "a duration like 12h, 30m, 1h30m, 3600 or infinite",
                                             LeaseDuration.init)
            let pool = collector.parsed("pool", in: fields, expected: "a range like 192.168.1.100-192.168.1.199",
                                        IPv4Range.init)
            guard let subnet else { continue }
            if let clash = networks.first(where: { $0.subnet.overlaps(subnet.value) }) {
                collector.error(at: subnet.location, subject,
                                "subnet \(subnet.value) overlaps network \(clash.name) (\(clash.subnet))")
            }
            if let router { checkHostAddress(router, named: "router", in: subnet.value, subject: subject) }
            if let pool { checkPool(pool, subnet: subnet.value, router: router?.value, server: server, subject: subject) }
            networks.append(Network(name: name.value, subnet: subnet.value, router: router?.value, dns: dns,
                                    domain: domain?.value,
                                    leaseTime: leaseTime?.value ?? Network.defaultLeaseTime,
                                    pool: pool?.value, location: name.location))
        }
        return networks
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

    private func checkPool(_ pool: Located<IPv4Range>, subnet: IPv4Subnet, router: IPv4Address?,
                           server: ServerSettings?, subject: String) {
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
        if let address = server?.address, range.contains(address) {
            collector.error(at: pool.location, subject, "pool \(range) includes the server's address \(address)")
        }
    }

    private func reservedName(_ address: IPv4Address, _ subnet: IPv4Subnet) -> String {
        address == subnet.network ? "network address" : "broadcast address"
    }

    // MARK: images

    private mutating func readImages(_ section: Yams.Node?, server: ServerSettings?) -> [BootImage] {
        var images: [BootImage] = []
        for (name, node) in collector.namedEntries(section, section: "images") {
            declaredImages.insert(name.value)
            let subject = "image \(name.value)"
            guard let fields = collector.fields(of: node, subject: subject, ownerLocation: name.location,
                                                allowed: Self.imageKeys, emptyAllowed: false) else { continue }
            collector.require("kernel", in: fields)
            let kernel = tftpPath("kernel", in: fields)
            let initrd = tftpPath("initrd", in: fields)
            let rootPath = readRootPath(fields)
            let cmdline = collector.string("cmdline", in: fields)
            if let root = server?.tftpRoot, fileExists(root) {
                if let kernel { warnIfMissing(kernel, what: "kernel", root: root, subject: subject) }
                if let initrd { warnIfMissing(initrd, what: "initrd", root: root, subject: subject) }
            }
            let export = collector.parsed("export", in: fields, expected: "nfs (the only export there is)") {
                $0 == "nfs" ? true : nil
            }
            if let export { checkExport(of: name.value, at: export.location, rootPath: rootPath, server: server) }
            guard let kernel else { continue }
            images.append(BootImage(name: name.value, kernel: kernel.value, initrd: initrd?.value,
                                    rootPath: rootPath?.value, cmdline: cmdline?.value,
                                    exportsNFS: export?.value ?? false, location: name.location))
        }
        return images
    }

    // MARK: groups

    private mutating func readGroups(_ section: Yams.Node?) -> [NodeGroup] {
        var groups: [NodeGroup] = []
        for (name, node) in collector.namedEntries(section, section: "groups") {
            declaredGroups.insert(name.value)
            let subject = "group \(name.value)"
            guard let fields = collector.fields(of: node, subject: subject, ownerLocation: name.location,
                                                allowed: Self.groupKeys,
                                                misplaced: Self.nodeOnlyKeysHint(for: "group")) else { continue }
            let image = imageReference(fields)
            let rootPath = readRootPath(fields)
            let cmdline = collector.string("cmdline", in: fields)
            groups.append(NodeGroup(name: name.value, image: image?.value, rootPath: rootPath?.value,
                                    cmdline: cmdline?.value, location: name.location))
        }
        return groups
    }

    private static func nodeOnlyKeysHint(for place: String) -> [String: String] {
        Dictionary(uniqueKeysWithValues: Set(nodeKeys).subtracting(groupKeys).map {
            ($0, "'\($0)' belongs to each node, not to a \(place)")
        })
    }

    // MARK: nodes

    private func readNodes(_ section: Yams.Node?, networks: [Network], server: ServerSettings?) -> [ClusterNode] {
        let entries = collector.namedEntries(section, section: "nodes")
        var nodes: [ClusterNode] = []
        nodes.reserveCapacity(entries.count)
        var uniqueness = NodeUniqueness()
        for (name, node) in entries {
            let subject = "node \(name.value)"
            if !Names.isHostLabel(name.value) {
                collector.error(at: name.location, subject,
                                "'\(name.value)' is not a valid host name (letters, digits and inner hyphens, "
                                    + "at most 63 characters)")
            }
            guard let fields = collector.fields(of: node, subject: subject, ownerLocation: name.location,
                                                allowed: Self.nodeKeys, emptyAllowed: false) else { continue }
            collector.require("mac", in: fields)
            collector.require("ip", in: fields)
            let mac = collector.parsed("mac", in: fields,
                                       expected: "six hex pairs like 52:54:00:00:00:01 or 52-54-00-00-00-01",
                                       MACAddress.init)
            let ip = collector.parsed("ip", in: fields, expected: "an IPv4 address like 192.168.1.11",
                                      IPv4Address.init)
            let hostname = collector.parsed("hostname", in: fields, expected: "a host name like compute1",
                                            { Names.isDomainName($0) ? $0 : nil })
            let groups = (collector.strings("groups", in: fields) ?? []).filter { group in
                guard declaredGroups.contains(group.value) else {
                    collector.error(at: group.location, subject, "group '\(group.value)' is not defined"
                                        + Suggestion.hint(for: group.value, among: declaredGroups.sorted()))
                    return false
                }
                return true
            }
            let image = imageReference(fields)
            let rootPath = readRootPath(fields)
            let cmdline = collector.string("cmdline", in: fields)

            if let mac { uniqueness.claim(mac: mac, by: name.value, collector: collector, subject: subject) }
            if let ip {
                uniqueness.claim(ip: ip, by: name.value, collector: collector, subject: subject)
                checkNodeAddress(ip, networks: networks, server: server, subject: subject)
            }
            let effectiveHostname = Located(value: hostname?.value ?? name.value,
                                            location: hostname?.location ?? name.location)
            uniqueness.claim(hostname: effectiveHostname, by: name.value, collector: collector, subject: subject)

            guard let mac, let ip else { continue }
            nodes.append(ClusterNode(name: name.value, mac: mac.value, ip: ip.value, groups: groups.map(\.value),
                                     hostname: hostname?.value, image: image?.value, rootPath: rootPath?.value,
                                     cmdline: cmdline?.value, location: name.location))
        }
        return nodes
    }

    private func checkNodeAddress(_ ip: Located<IPv4Address>, networks: [Network], server: ServerSettings?,
                                  subject: String) {
        guard let network = networks.first(where: { $0.subnet.contains(ip.value) }) else {
            // An unparsable subnet may be the one meant; its own error says enough.
            guard !someSubnetInvalid else { return }
            let declared = networks.isEmpty
                ? "no networks are declared"
                : "declared: " + networks.map { "\($0.name) \($0.subnet)" }.joined(separator: ", ")
            collector.error(at: ip.location, subject, "IP \(ip.value) is not inside any network's subnet (\(declared))")
            return
        }
        if network.subnet.isReservedAddress(ip.value) {
            collector.error(at: ip.location, subject, "IP \(ip.value) is the \(reservedName(ip.value, network.subnet))"
                                + " of network \(network.name) (\(network.subnet))")
        } else if let pool = network.pool, pool.contains(ip.value) {
            collector.error(at: ip.location, subject, "IP \(ip.value) is inside the pool of network \(network.name) "
                                + "(\(pool)); a reserved address must be outside the pool")
        } else if ip.value == network.router {
            collector.error(at: ip.location, subject, "IP \(ip.value) is the router of network \(network.name)")
        } else if ip.value == server?.address {
            collector.error(at: ip.location, subject, "IP \(ip.value) is the server's own address")
        }
    }

    // MARK: shared value readers

    private func imageReference(_ fields: Fields) -> Located<String>? {
        guard let image = collector.string("image", in: fields) else { return nil }
        guard declaredImages.contains(image.value) else {
            collector.error(at: image.location, fields.subject, "image '\(image.value)' is not defined"
                                + Suggestion.hint(for: image.value, among: declaredImages.sorted()))
            return nil
        }
        return image
    }

    /// Option 17 text. `nfs:` paths are checked for the `nfs:SERVER:/PATH` form dracut and busybox need.
    /// An exported image: its root_path names this server and a path no other export uses, and its imported
    /// root exists under state_dir.
    private mutating func checkExport(of image: String, at location: SourceLocation, rootPath: Located<String>?,
                                      server: ServerSettings?) {
        let subject = "image \(image)"
        guard let rootPath, let nfs = BootImage.nfsLocation(rootPath.value) else {
            collector.error(at: location, subject, "export: nfs needs a root_path nfs:SERVER:/PATH naming where "
                                + "nodes mount the root")
            return
        }
        if let address = server?.address, nfs.host != "\(address)" {
            collector.error(at: rootPath.location, subject, "root_path names NFS server \(nfs.host), but this image "
                                + "is exported by this server (\(address))")
        }
        if let other = exportPaths[nfs.path] {
            collector.error(at: rootPath.location, subject, "export path \(nfs.path) is already used by image \(other)")
        } else {
            exportPaths[nfs.path] = image
        }
        if let server {
            let directory = BootImage.rootDirectory(image: image, stateDirectory: server.stateDirectory)
            if !fileExists(directory) {
                collector.error(at: location, subject, "exported root \(directory) does not exist "
                                    + "(import it: netroot image import \(image) SOURCE)")
            }
        }
    }

    private func readRootPath(_ fields: Fields) -> Located<String>? {
        guard let text = collector.string("root_path", in: fields) else { return nil }
        for scheme in ["nfs:", "nfs4:"] where text.value.hasPrefix(scheme) {
            let rest = text.value.dropFirst(scheme.count)
            let parts = rest.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, parts[1].hasPrefix("/") else {
                collector.error(at: text.location, fields.subject, "invalid root_path '\(text.value)' "
                                    + "(expected \(scheme)SERVER:/PATH, e.g. \(scheme)192.168.1.200:/srv/root)")
                return nil
            }
        }
        if text.value.isEmpty || text.value.utf8.count > 255 {
            collector.error(at: text.location, fields.subject,
                            "root_path must be 1 to 255 bytes long (it travels in one DHCP option)")
            return nil
        }
        return text
    }

    /// A path under tftp_root: relative, no `..`, no backslashes.
    private func tftpPath(_ key: String, in fields: Fields) -> Located<String>? {
        guard let text = collector.string(key, in: fields) else { return nil }
        let components = text.value.split(separator: "/", omittingEmptySubsequences: false)
        guard !text.value.isEmpty, !text.value.hasPrefix("/"), !text.value.contains("\\"),
              !components.contains(".."), !components.contains("") else {
            collector.error(at: text.location, fields.subject,
                            "\(key) '\(text.value)' must be a relative path inside tftp_root, like rhel6/vmlinuz")
            return nil
        }
        return text
    }

    private func warnIfMissing(_ file: Located<String>, what: String, root: String, subject: String) {
        let path = root.hasSuffix("/") ? root + file.value : root + "/" + file.value
        if !fileExists(path) {
            collector.warning(at: file.location, subject, "\(what) '\(file.value)' not found under tftp_root \(root)")
        }
    }

    // MARK: containers

    private func readContainers(_ section: Yams.Node?, networks: [Network], server: ServerSettings?,
                                nodes: [ClusterNode], bridge: BridgeSettings?,
                                sectionLocation: SourceLocation?) -> [ContainerSettings] {
        let entries = collector.namedEntries(section, section: "containers")
        if !entries.isEmpty, bridge == nil, let sectionLocation {
            collector.error(at: sectionLocation, "containers", "containers are plumbed onto the bridge: "
                                + "add a 'bridge:' section")
        }
        var owners: [IPv4Address: String] = [:]
        for node in nodes { owners[node.ip] = "node \(node.name)" }
        var containers: [ContainerSettings] = []
        for (name, node) in entries {
            let subject = "container \(name.value)"
            if !Names.isHostLabel(name.value) {
                collector.error(at: name.location, subject, "'\(name.value)' is not a valid name (letters, digits and "
                                    + "inner hyphens)")
            }
            guard let fields = collector.fields(of: node, subject: subject, ownerLocation: name.location,
                                                allowed: Self.containerKeys, emptyAllowed: false) else { continue }
            collector.require("address", in: fields)
            let address = collector.parsed("address", in: fields, expected: "an IPv4 address with its prefix "
                                               + "like 192.168.1.250/24", Self.addressWithPrefix)
            let gateway = collector.parsed("gateway", in: fields, expected: "an IPv4 address like 192.168.1.1",
                                           IPv4Address.init)
            let path = collector.string("netns", in: fields)
            let pid = collector.parsed("pid", in: fields, expected: "a process ID like 4242") {
                Int($0).flatMap { $0 > 0 ? $0 : nil }
            }
            let interface = interfaceName("interface", in: fields)
            if (fields["netns"] == nil) == (fields["pid"] == nil) {
                collector.error(at: path?.location ?? name.location, subject,
                                "give exactly one of 'netns' (a namespace path) and 'pid' (a process in it)")
            }
            guard let address else { continue }
            let ip = Located(value: address.value.address, location: address.location)
            checkNodeAddress(ip, networks: networks, server: server, subject: subject)
            let network = networks.first { $0.subnet.contains(ip.value) }
            if let network, address.value.prefixLength != nil,
               address.value.prefixLength != network.subnet.prefixLength {
                collector.error(at: address.location, subject, "prefix /\(address.value.prefixLength!) differs from "
                                    + "network \(network.name) (\(network.subnet))")
            }
            if let owner = owners[ip.value] {
                collector.error(at: address.location, subject, "IP \(ip.value) is already used by \(owner)")
            } else {
                owners[ip.value] = subject
            }
            if let gateway, let network, !network.subnet.contains(gateway.value) {
                collector.error(at: gateway.location, subject, "gateway \(gateway.value) is outside network "
                                    + "\(network.name) (\(network.subnet))")
            }
            guard let network, let namespace = path.map({ ContainerNamespace.path($0.value) })
                    ?? pid.map({ ContainerNamespace.pid($0.value) }) else { continue }
            containers.append(ContainerSettings(
                name: name.value, address: ip.value, prefixLength: network.subnet.prefixLength,
                gateway: gateway?.value ?? network.router, namespace: namespace,
                interface: interface?.value ?? ContainerSettings.defaultInterface))
        }
        return containers
    }

    /// `192.168.1.250/24` or `192.168.1.250` (the prefix then comes from the network).
    private static func addressWithPrefix(_ text: String) -> (address: IPv4Address, prefixLength: Int?)? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard let address = IPv4Address(String(parts[0])) else { return nil }
        if parts.count == 1 { return (address, nil) }
        guard parts.count == 2, let prefix = Int(parts[1]), (1...32).contains(prefix) else { return nil }
        return (address, prefix)
    }

    private func interfaceName(_ key: String, in fields: Fields) -> Located<String>? {
        collector.parsed(key, in: fields, expected: "an interface name of 1 to 15 characters without '/', ':' or spaces",
                         { Names.isInterfaceName($0) ? $0 : nil })
    }

    private func absolutePath(_ path: String) -> String {
        let joined = path.hasPrefix("/") ? path : baseDirectory + "/" + path
        return PathNormalizer.normalize(joined)
    }
}

private func parseBool(_ text: String) -> Bool? {
    switch text.lowercased() {
    case "true", "yes", "on": true
    case "false", "no", "off": false
    default: nil
    }
}
