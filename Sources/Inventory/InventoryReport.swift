import Values

/// Text an administrator reads: the `check` summary, the node table, one node's effective settings.
public enum InventoryReport {
    /// `config/nodes.yaml: OK: 4 nodes, 1 network, 1 image, 1 group (1 warning)`
    public static func summary(file: String, inventory: Inventory?, diagnostics: [Diagnostic]) -> String {
        let warnings = diagnostics.warnings.count
        let warningText = warnings == 0 ? "" : " (\(counted(warnings, "warning")))"
        guard let inventory else {
            return "\(file): invalid: \(counted(diagnostics.errors.count, "error"))\(warningText)"
        }
        let parts = [counted(inventory.nodes.count, "node"), counted(inventory.networks.count, "network"),
                     counted(inventory.images.count, "image"), counted(inventory.groups.count, "group")]
        return "\(file): OK: \(parts.joined(separator: ", "))\(warningText)"
    }

    /// One row per node: name, MAC, IP, image, groups.
    public static func nodeTable(_ profiles: [BootProfile]) -> String {
        let rows = profiles.map { profile in
            [profile.name, profile.mac.description, profile.ip.description, profile.image?.value ?? "-",
             profile.groups.isEmpty ? "-" : profile.groups.joined(separator: ",")]
        }
        return table(header: ["NAME", "MAC", "IP", "IMAGE", "GROUPS"], rows: rows)
    }

    /// Every effective value of one node with where it came from.
    public static func nodeDetails(_ profile: BootProfile, server: ServerSettings) -> String {
        func row<Value: CustomStringConvertible>(_ key: String, _ value: Resolved<Value>?) -> [String] {
            [key, value.map { "\($0.value)" } ?? "-", value.map { "\($0.source)" } ?? "not set"]
        }
        let network = profile.network
        let nextServer = server.address.map(\.description) ?? "address of \(server.interface)"
        var rows: [[String]] = [
            ["name", profile.name, "node"],
            row("hostname", profile.hostname),
            ["mac", profile.mac.description, "node"],
            ["ip", profile.ip.description, "node"],
            ["groups", profile.groups.isEmpty ? "-" : profile.groups.joined(separator: ", "), "node"],
            ["network", "\(network.name) (\(network.subnet))", "subnet holding ip"],
            ["netmask", network.subnet.mask.description, "network \(network.name)"],
            ["router", network.router?.description ?? "-", network.router == nil ? "not set" : "network \(network.name)"],
            ["dns", network.dns.isEmpty ? "-" : network.dns.map(\.description).joined(separator: ", "),
             network.dns.isEmpty ? "not set" : "network \(network.name)"],
            ["domain", network.domain ?? "-", network.domain == nil ? "not set" : "network \(network.name)"],
            ["lease_time", profile.leaseTime.value.description, "\(profile.leaseTime.source)"],
            ["next_server", nextServer, server.address == nil ? "default" : "server"],
            row("bootfile.bios", profile.biosBootfile),
            row("bootfile.uefi", profile.uefiBootfile),
            row("image", profile.image),
            row("kernel", profile.kernel),
            row("initrd", profile.initrd),
            row("root_path", profile.rootPath),
            row("cmdline", profile.cmdline),
        ]
        if profile.image == nil {
            rows.append(["boot", "local disk", "no image applies"])
        } else {
            rows.append(row("boot", profile.boot))
            if profile.boot.value == .grub {
                rows.append(row("bootfile.uefi_shim", server.uefiShimBootfile))
                rows.append(row("bootfile.arm64_shim", server.arm64ShimBootfile))
            }
        }
        rows.append(row("secure_boot", profile.secureBoot))
        if let bmc = profile.bmc { rows += bmcRows(bmc) }
        return table(header: ["KEY", "VALUE", "FROM"], rows: rows)
    }

    /// The BMC's effective settings; a password only as `(set)`, with the file it is read from.
    static func bmcRows(_ bmc: EffectiveBMC) -> [[String]] {
        func row<Value: CustomStringConvertible>(_ key: String, _ value: Resolved<Value>?) -> [String] {
            ["bmc." + key, value.map { "\($0.value)" } ?? "-", value.map { "\($0.source)" } ?? "not set"]
        }
        var rows = [row("address", bmc.address), row("port", bmc.port), row("protocol", bmc.protocol),
                    row("username", bmc.username)]
        switch bmc.password?.value {
        case .file(let path):
            rows.append(["bmc.password", "(set)", "\(bmc.password!.source)"])
            rows.append(["bmc.password_file", path, "\(bmc.password!.source)"])
        case .inline:
            rows.append(["bmc.password", "(set)", "\(bmc.password!.source)"])
        case nil:
            rows.append(["bmc.password", "-", "not set"])
        }
        if bmc.protocol.value == .redfish {
            rows += [row("system", bmc.system), row("tls_ca", bmc.tlsCA), row("insecure", bmc.insecure)]
        }
        return rows
    }

    /// Left-aligned columns separated by two spaces; the last column is not padded. Every cell's control
    /// characters are escaped (`Terminal.safe`): a cell may hold what a client or a BMC sent.
    public static func table(header: [String], rows: [[String]]) -> String {
        let all = ([header] + rows).map { $0.map(Terminal.safe) }
        var widths = [Int](repeating: 0, count: header.count)
        for row in all {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        var lines: [String] = []
        lines.reserveCapacity(all.count)
        for row in all {
            var line = ""
            for (index, cell) in row.enumerated() {
                if index == row.count - 1 {
                    line += cell
                } else {
                    line += cell + String(repeating: " ", count: widths[index] - cell.count + 2)
                }
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    private static func counted(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }
}
