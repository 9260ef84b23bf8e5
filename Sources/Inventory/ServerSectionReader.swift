/// Reads `server:`: where the appliance listens, what it serves and where it keeps state.
struct ServerSectionReader {
    let collector: DiagnosticCollector
    let baseDirectory: String
    let fileExists: (String) -> Bool
    let secrets: SecretFileCheck

    static let keys = ["interface", "address", "tftp_root", "state_dir", "bootfile", "router_advertisements",
                       "http", "rogue_probe_interval", "tftp_max_transfers", "tftp_max_transfers_per_client",
                       "http_boot_port", "leases", "http_token_file", "http_names", "http_max_connections",
                       "http_max_connections_per_client"]
    static let bootfileKeys = ["bios", "uefi", "uefi_shim", "arm64_shim"]
    /// The DHCP `file` field is 128 bytes, the last one a NUL.
    static let maximumBootfileLength = 127

    func read(_ top: Fields) -> ServerSettings? {
        guard let node = top["server"] else {
            collector.error(at: top.ownerLocation, nil, "missing required section 'server' (it needs an 'interface:')")
            return nil
        }
        let location = top.entries["server"]!.key.location
        guard let fields = collector.fields(of: node, subject: "server", ownerLocation: location,
                                            allowed: Self.keys, emptyAllowed: false) else { return nil }
        collector.require("interface", in: fields)
        let interface = collector.interfaceName("interface", in: fields)
        let address = collector.parsed("address", in: fields, expected: "an IPv4 address like 192.168.1.200",
                                       IPv4Address.init)
        let tftpRoot = collector.oneLine("tftp_root", in: fields, place: DiagnosticCollector.Place.path)
        let stateDirectory = collector.oneLine("state_dir", in: fields, place: DiagnosticCollector.Place.path)
        let advertise = collector.parsed("router_advertisements", in: fields, expected: "true or false", parseBool)
        let http = collector.parsed("http", in: fields, expected: "an address and port like 127.0.0.1:9100",
                                    HTTPListen.init)
        let tokenFile = httpTokenFile(fields, http: http)
        let probeInterval = collector.parsed("rogue_probe_interval", in: fields,
                                             expected: "a duration of at least 10s like 5m, or 0 or off",
                                             Self.parseProbeInterval)
        let maximumTransfers = collector.parsed("tftp_max_transfers", in: fields,
                                                expected: "a whole number of transfers from 1 to 60000",
                                                Self.parseTransferLimit)
        let maximumPerClient = collector.parsed("tftp_max_transfers_per_client", in: fields,
                                                expected: "a whole number of transfers from 1 to 60000",
                                                Self.parseTransferLimit)
        let httpBootPort = collector.parsed("http_boot_port", in: fields, expected: "a port from 1 to 65535") {
            Int($0).flatMap { (1...65535).contains($0) ? $0 : nil }
        }
        let httpNames = (collector.strings("http_names", in: fields) ?? []).compactMap { name -> String? in
            let text = name.value.lowercased()
            guard Self.isHostName(text) else {
                collector.error(at: name.location, "server", "http_names: '\(name.value)' is not a host name "
                                    + "(letters, digits, '-' and '.')")
                return nil
            }
            return text
        }
        let httpConnections = collector.parsed("http_max_connections", in: fields,
                                               expected: "a whole number of connections from 1 to 60000",
                                               Self.parseTransferLimit)
        let httpConnectionsPerClient = collector.parsed("http_max_connections_per_client", in: fields,
                                                        expected: "a whole number of connections from 1 to 60000",
                                                        Self.parseTransferLimit)
        var leases = LeaseStoreSettings.journal
        if let leasesNode = fields["leases"] {
            let reader = LeasesSectionReader(collector: collector, baseDirectory: baseDirectory, fileExists: fileExists,
                                             secrets: secrets)
            leases = reader.read(leasesNode, ownerLocation: fields.entries["leases"]!.key.location) ?? leases
        }
        var bios = Resolved(ServerSettings.defaultBIOSBootfile, from: .defaultValue)
        var uefi = Resolved(ServerSettings.defaultUEFIBootfile, from: .defaultValue)
        var uefiShim = Resolved(ServerSettings.defaultUEFIShimBootfile, from: .defaultValue)
        var arm64Shim = Resolved(ServerSettings.defaultARM64ShimBootfile, from: .defaultValue)
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
            func read(_ key: String, into value: inout Resolved<String>) {
                guard let file = bootfile(key, in: bootfiles) else { return }
                value = Resolved(file.value, from: .server)
                if tftpRootExists { warnIfMissing(file, root: tftpRootPath) }
            }
            read("bios", into: &bios)
            read("uefi", into: &uefi)
            read("uefi_shim", into: &uefiShim)
            read("arm64_shim", into: &arm64Shim)
        }
        guard let interface else { return nil }
        return ServerSettings(interface: interface.value, address: address?.value, tftpRoot: tftpRootPath,
                              stateDirectory: absolutePath(stateDirectory?.value ?? ServerSettings.defaultStateDirectory),
                              biosBootfile: bios, uefiBootfile: uefi, uefiShimBootfile: uefiShim,
                              arm64ShimBootfile: arm64Shim,
                              routerAdvertisements: advertise?.value ?? ServerSettings.defaultRouterAdvertisements,
                              http: http?.value,
                              rogueProbeInterval: probeInterval?.value ?? ServerSettings.defaultRogueProbeInterval,
                              tftpMaximumTransfers: maximumTransfers?.value ?? ServerSettings.defaultTFTPMaximumTransfers,
                              tftpMaximumTransfersPerClient: maximumPerClient?.value
                                  ?? ServerSettings.defaultTFTPMaximumTransfersPerClient,
                              httpBootPort: httpBootPort?.value ?? ServerSettings.defaultHTTPBootPort,
                              leases: leases, httpTokenFile: tokenFile, httpNames: httpNames,
                              httpMaximumConnections: httpConnections?.value
                                  ?? ServerSettings.defaultHTTPMaximumConnections,
                              httpMaximumConnectionsPerClient: httpConnectionsPerClient?.value
                                  ?? ServerSettings.defaultHTTPMaximumConnectionsPerClient)
    }

    /// A DNS name as a `Host` header carries it: labels of letters, digits and '-', separated by dots.
    static func isHostName(_ text: String) -> Bool {
        guard !text.isEmpty, text.count <= 253 else { return false }
        return text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            !label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }

    /// `http_token_file`: required when `http` listens on anything but loopback (the dashboard and /metrics
    /// are then reachable from the network), and it must exist.
    private func httpTokenFile(_ fields: Fields, http: Located<HTTPListen>?) -> String? {
        let file = collector.oneLine("http_token_file", in: fields, place: DiagnosticCollector.Place.path)
        if let http, file == nil, http.value.address.bytes[0] != 127 {
            collector.error(at: http.location, "server", "http listens on \(http.value.address), not loopback: "
                                + "set http_token_file to a file holding the bearer token every request must carry")
        }
        guard let file else { return nil }
        let path = absolutePath(file.value)
        if !secrets.exists(path) {
            collector.error(at: file.location, "server", "http_token_file \(path) does not exist")
        } else if let warning = secrets.warning(path) {
            collector.warning(at: file.location, "server", "http_token_file \(warning)")
        }
        return path
    }

    /// A bootfile goes into the reply's 128-byte `file` field (and option 67) whole, or not at all.
    private func bootfile(_ key: String, in fields: Fields) -> Located<String>? {
        guard let file = collector.tftpPath(key, in: fields, place: DiagnosticCollector.Place.fileField) else {
            return nil
        }
        let length = file.value.utf8.count
        guard length <= Self.maximumBootfileLength else {
            collector.error(at: file.location, fields.subject, "\(key) '\(file.value)' is \(length) bytes long; "
                                + "the DHCP reply's file field holds at most \(Self.maximumBootfileLength)")
            return nil
        }
        return file
    }

    private func warnIfMissing(_ file: Located<String>, root: String) {
        let path = root.hasSuffix("/") ? root + file.value : root + "/" + file.value
        if !fileExists(path) {
            collector.warning(at: file.location, "server.bootfile", "bootfile '\(file.value)' not found under tftp_root \(root)")
        }
    }

    /// Each transfer holds a port of its own (two sockets): more than a port range's worth cannot run.
    private static func parseTransferLimit(_ text: String) -> Int? {
        guard let value = Int(text), (1...60_000).contains(value) else { return nil }
        return value
    }

    /// Seconds, 0 for off; under 10 s a round (a few seconds of listening) would barely end before the next.
    private static func parseProbeInterval(_ text: String) -> Int? {
        if text == "0" || text == "off" { return 0 }
        guard let duration = LeaseDuration(text), duration != .infinite, duration.seconds >= 10 else { return nil }
        return Int(duration.seconds)
    }

    private func absolutePath(_ path: String) -> String {
        let joined = path.hasPrefix("/") ? path : baseDirectory + "/" + path
        return PathNormalizer.normalize(joined)
    }
}
