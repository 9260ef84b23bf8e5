/// Checks what one section says about another, once every section has been read: names that must be
/// declared, addresses that must sit in a network and outside its pool, exports that need this server, files
/// under its tftp_root. Sections are read without looking at each other, so their order in the file is free.
struct CrossReferences {
    let collector: DiagnosticCollector
    let fileExists: (String) -> Bool
    /// Nil when `server:` could not be read: checks against it are skipped, its own errors say enough.
    let server: ServerSettings?
    let networks: NetworksSection

    /// A pool must not hand out the server's own address.
    func checkPools() {
        guard let address = server?.address else { return }
        for network in networks.networks {
            guard let pool = network.pool, let location = networks.poolLocations[network.name],
                  pool.isAscending, network.subnet.contains(pool.first), network.subnet.contains(pool.last),
                  pool.contains(address) else { continue }
            collector.error(at: location, "network \(network.name)",
                            "pool \(pool) includes the server's address \(address)")
        }
    }

    /// Kernels and initrds are looked for under tftp_root; a missing one is a warning (it may be copied later).
    func checkBootFiles(_ images: ImagesSection) {
        guard let root = server?.tftpRoot, fileExists(root) else { return }
        for bootFile in images.bootFiles {
            let path = root.hasSuffix("/") ? root + bootFile.file.value : root + "/" + bootFile.file.value
            if !fileExists(path) {
                collector.warning(at: bootFile.file.location, bootFile.subject,
                                  "\(bootFile.what) '\(bootFile.file.value)' not found under tftp_root \(root)")
            }
        }
    }

    /// An exported image: its root_path names this server and a path no other export uses, its imported
    /// root exists under state_dir, and some network's machines may mount it.
    func checkExports(_ images: ImagesSection) {
        var exportPaths: [String: String] = [:]
        for export in images.exports {
            let subject = "image \(export.image)"
            if networks.networks.isEmpty && !networks.someSubnetInvalid {
                collector.warning(at: export.location, subject, "no machine may mount this export: exports are "
                                      + "limited to the subnets of networks:, and none is declared")
            }
            guard let rootPath = export.rootPath, let nfs = rootPath.value.nfs else {
                collector.error(at: export.location, subject, "export: nfs needs a root_path nfs:SERVER:/PATH naming "
                                    + "where nodes mount the root")
                continue
            }
            if let address = server?.address, nfs.server != "\(address)" {
                collector.error(at: rootPath.location, subject, "root_path names NFS server \(nfs.server), but this "
                                    + "image is exported by this server (\(address))")
            }
            if let other = exportPaths[nfs.path] {
                collector.error(at: rootPath.location, subject, "export path \(nfs.path) is already used by image \(other)")
            } else {
                exportPaths[nfs.path] = export.image
            }
            if let server {
                let directory = BootImage.rootDirectory(image: export.image, stateDirectory: server.stateDirectory)
                if !fileExists(directory) {
                    collector.error(at: export.location, subject, "exported root \(directory) does not exist "
                                        + "(import it: netroot image import \(export.image) SOURCE)")
                }
            }
        }
    }

    /// Every name referred to is declared in its section.
    func checkReferences(_ references: [Reference], kind: String, declared: Set<String>) {
        for reference in references where !declared.contains(reference.name.value) {
            collector.error(at: reference.name.location, reference.subject,
                            "\(kind) '\(reference.name.value)' is not defined"
                                + Suggestion.hint(for: reference.name.value, among: declared.sorted()))
        }
    }

    /// A node's address: inside a network, not one the subnet reserves, not in the pool, not the router's or
    /// the server's.
    func checkAddress(_ ip: Located<IPv4Address>, subject: String) {
        let networks = networks.networks
        guard let network = networks.first(where: { $0.subnet.contains(ip.value) }) else {
            // An unparsable subnet may be the one meant; its own error says enough.
            guard !self.networks.someSubnetInvalid else { return }
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

    /// Containers sit on the bridge, at an address of a network no node or other container has; each gets the
    /// network's prefix and, unless it names one, its router as gateway.
    func resolveContainers(_ section: ContainersSection, bridge: BridgeSettings?,
                           nodes: [ClusterNode]) -> [ContainerSettings] {
        if bridge == nil, let location = section.sectionLocation {
            collector.error(at: location, "containers", "containers are plumbed onto the bridge: add a 'bridge:' section")
        }
        var owners: [IPv4Address: String] = [:]
        for node in nodes { owners[node.ip] = "node \(node.name)" }
        var containers: [ContainerSettings] = []
        for entry in section.entries {
            let subject = entry.subject
            let address = entry.address
            let ip = Located(value: address.value.address, location: address.location)
            checkAddress(ip, subject: subject)
            let network = networks.networks.first { $0.subnet.contains(ip.value) }
            if let network, let prefixLength = address.value.prefixLength, prefixLength != network.subnet.prefixLength {
                collector.error(at: address.location, subject, "prefix /\(prefixLength) differs from "
                                    + "network \(network.name) (\(network.subnet))")
            }
            if let owner = owners[ip.value] {
                collector.error(at: address.location, subject, "IP \(ip.value) is already used by \(owner)")
            } else {
                owners[ip.value] = subject
            }
            if let gateway = entry.gateway, let network, !network.subnet.contains(gateway.value) {
                collector.error(at: gateway.location, subject, "gateway \(gateway.value) is outside network "
                                    + "\(network.name) (\(network.subnet))")
            }
            guard let network, let namespace = entry.namespace else { continue }
            containers.append(ContainerSettings(
                name: entry.name, address: ip.value, prefixLength: network.subnet.prefixLength,
                gateway: entry.gateway?.value ?? network.router, namespace: namespace, interface: entry.interface))
        }
        return containers
    }
}

extension CrossReferences {
    /// Redfish-only keys (`system`, `tls_ca`, `insecure`) on a node whose merged protocol is IPMI: most likely a
    /// forgotten `protocol: redfish`, reported where the key was written.
    /// Two nodes whose own `bmc.address` reaches the same BMC (address, effective port and Redfish system) would
    /// power each other off: the second is refused at its address. A group's address is a default, not a claim.
    func checkSharedBMCs(nodes: [ClusterNode], nodeEntries: [String: BMCEntry], groupEntries: [String: BMCEntry]) {
        var owners: [String: (node: String, line: Int)] = [:]
        for node in nodes {
            guard let own = nodeEntries[node.name], let address = own.settings.address,
                  let location = own.keyLocations["address"] else { continue }
            let layers = [own] + node.groups.reversed().compactMap { groupEntries[$0] }
            let bmcProtocol = layers.lazy.compactMap(\.settings.protocol).first ?? BMCSettings.defaultProtocol
            let port = layers.lazy.compactMap(\.settings.port).first ?? BMCSettings.defaultPort(for: bmcProtocol)
            let system = layers.lazy.compactMap(\.settings.system).first.map { " system \($0)" } ?? ""
            let key = "\(address.lowercased()):\(port)\(system)"
            if let owner = owners[key] {
                collector.error(at: location, "node \(node.name)", "BMC \(address) port \(port)\(system) is already "
                                    + "used by node \(owner.node) (line \(owner.line))")
            } else {
                owners[key] = (node.name, location.line)
            }
        }
    }

    func checkBMCProtocols(nodes: [ClusterNode], nodeEntries: [String: BMCEntry], groupEntries: [String: BMCEntry]) {
        var reported: Set<SourceLocation> = []
        for node in nodes {
            let layers = [(Provenance.node, nodeEntries[node.name])]
                + node.groups.reversed().map { (Provenance.group($0), groupEntries[$0]) }
            let written = layers.compactMap { source, entry in entry.map { (source, $0) } }
            guard !written.isEmpty else { continue }
            let protocolSource = written.first { $0.1.settings.protocol != nil }
            let effective = protocolSource?.1.settings.protocol ?? BMCSettings.defaultProtocol
            guard effective == .ipmi else { continue }
            let from = protocolSource.map { "from \($0.0)" } ?? "the default"
            for key in BMCReader.redfishKeys {
                guard let (_, entry) = written.first(where: { $0.1.keyLocations[key] != nil }),
                      let location = entry.keyLocations[key], reported.insert(location).inserted else { continue }
                collector.error(at: location, "node \(node.name)", "bmc.\(key) applies to protocol redfish only "
                                    + "(this node's protocol is ipmi, \(from))")
            }
        }
    }
}
