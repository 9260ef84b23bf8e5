import Inventory
import Testing

/// A node's effective BMC: its own keys over its groups', defaults, and a password that never shows.
@Suite struct BMCResolutionTests {
    static let text = baseInventory.replacingOccurrences(
        of: "    image: rhel6\n",
        with: "    image: rhel6\n    bmc: {username: ADMIN, password_file: secrets/bmc, address: 10.1.1.99}\n")
        + """
              compute1:
                mac: 52:54:00:00:00:01
                ip: 192.168.1.11
                groups: [compute]
                bmc: {address: 10.1.1.1}
              compute2:
                mac: 52:54:00:00:00:02
                ip: 192.168.1.12
                bmc: {address: 10.1.1.2, port: 6230, password: s3cret}
              compute3:
                mac: 52:54:00:00:00:03
                ip: 192.168.1.13

            """

    static func inventory(modes: [String: UInt32] = [:]) -> InventoryLoadResult {
        InventoryLoader.parse(text: text, file: "nodes.yaml", baseDirectory: "/srv/config",
                              fileExists: { baseFiles.union(["/srv/config/secrets/bmc"]).contains($0) },
                              fileMode: { modes[$0] })
    }

    @Test func nodeKeysWinOverTheGroupsAndDefaultsFillTheRest() throws {
        let inventory = try #require(Self.inventory().inventory)
        let bmc = try #require(inventory.profile(named: "compute1")?.bmc)
        #expect(bmc.address == Resolved("10.1.1.1", from: .node))
        #expect(bmc.username == Resolved("ADMIN", from: .group("compute")))
        #expect(bmc.password == Resolved(.file("/srv/config/secrets/bmc"), from: .group("compute")))
        #expect(bmc.port == Resolved(623, from: .defaultValue))
        #expect(bmc.protocol == Resolved(.ipmi, from: .defaultValue))
        #expect(inventory.profile(named: "compute3")?.bmc == nil)
    }

    @Test func aRedfishBMCDefaultsToHTTPSsPort() throws {
        let text = Self.text.replacingOccurrences(of: "bmc: {address: 10.1.1.1}",
                                                  with: "bmc: {address: 10.1.1.1, protocol: redfish}")
        let result = InventoryLoader.parse(text: text, file: "nodes.yaml", baseDirectory: "/srv/config",
                                           fileExists: { baseFiles.union(["/srv/config/secrets/bmc"]).contains($0) })
        let bmc = try #require(result.inventory?.profile(named: "compute1")?.bmc, "\(result.diagnostics)")
        #expect(bmc.port == Resolved(443, from: .defaultValue))
    }

    @Test func aPasswordIsShownAsSetOnly() throws {
        let inventory = try #require(Self.inventory().inventory)
        let profile = try #require(inventory.profile(named: "compute2"))
        let details = InventoryReport.nodeDetails(profile, server: inventory.server)
        #expect(!details.contains("s3cret"))
        #expect(Self.row("bmc.password", in: details) == ["bmc.password", "(set)", "node"], "\(details)")
        #expect(Self.row("bmc.port", in: details) == ["bmc.port", "6230", "node"], "\(details)")
        #expect("\(profile.bmc!.password!.value)" == "(set)")
        #expect(!"\(profile)".contains("s3cret"))
        let compute1 = InventoryReport.nodeDetails(inventory.profile(named: "compute1")!, server: inventory.server)
        #expect(Self.row("bmc.password_file", in: compute1)
            == ["bmc.password_file", "/srv/config/secrets/bmc", "group", "compute"], "\(compute1)")
        #expect(Self.row("bmc.password", in: compute1) == ["bmc.password", "(set)", "group", "compute"])
    }

    /// The words of the table row for `key`.
    static func row(_ key: String, in table: String) -> [String] {
        table.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }.first { $0.first == key } ?? []
    }

    @Test func passwordsOthersCanReadAreWarnedAbout() {
        let result = Self.inventory(modes: ["/srv/config/secrets/bmc": 0o644, "nodes.yaml": 0o604])
        #expect(result.inventory != nil)
        #expect(result.diagnostics.warnings.map(\.description) == [
            "nodes.yaml:18:43: warning: group compute: bmc.password_file /srv/config/secrets/bmc is readable by "
                + "group and others (mode 0644); chmod 600 it",
            "nodes.yaml:28:52: warning: node compute2: bmc.password is written in nodes.yaml, which is readable by "
                + "others (mode 0604); use password_file, or chmod 600 the inventory",
        ])
        #expect(Self.inventory(modes: ["/srv/config/secrets/bmc": 0o600, "nodes.yaml": 0o640])
            .diagnostics.warnings.map(\.description) == [
                "nodes.yaml:28:52: warning: node compute2: bmc.password is written in nodes.yaml, which is readable "
                    + "by group (mode 0640); use password_file, or chmod 600 the inventory",
            ])
    }
}
