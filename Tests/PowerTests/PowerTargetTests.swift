import Foundation
import Inventory
import Power
import Testing

/// A node's BMC endpoint from its effective settings: the password read now, or why it cannot be reached.
@Suite struct PowerTargetTests {
    private static func profiles(_ nodes: String, baseDirectory: String = "/srv") throws -> [String: BootProfile] {
        let text = """
            server: {interface: br0, tftp_root: /}
            networks:
              lan: {subnet: 10.0.0.0/24}
            nodes:
            \(nodes)
            """
        let result = InventoryLoader.parse(text: text, file: "nodes.yaml", baseDirectory: baseDirectory,
                                           fileExists: { _ in true }, fileMode: { _ in 0o600 })
        let inventory = try #require(result.inventory, "\(result.diagnostics)")
        return Dictionary(uniqueKeysWithValues: inventory.nodes.compactMap { node in
            inventory.profile(named: node.name).map { (node.name, $0) }
        })
    }

    private static func failure(_ target: PowerTarget) -> String? {
        if case .failure(let failure) = target.endpoint { failure.description } else { nil }
    }

    @Test func whatIsMissingIsSaidWithTheCommandThatSetsIt() throws {
        let profiles = try Self.profiles("""
              a: {mac: '02:00:00:00:00:01', ip: 10.0.0.11}
              b: {mac: '02:00:00:00:00:02', ip: 10.0.0.12, bmc: {address: 10.1.0.2}}
              c: {mac: '02:00:00:00:00:03', ip: 10.0.0.13, bmc: {address: 10.1.0.3, username: admin}}
            """)
        #expect(Self.failure(PowerTarget(profiles["a"]!))
                == "no bmc.address in nodes.yaml (netroot nodes set a bmc.address=…)")
        #expect(Self.failure(PowerTarget(profiles["b"]!))
                == "no bmc.username in nodes.yaml (netroot nodes set b bmc.username=…)")
        #expect(Self.failure(PowerTarget(profiles["c"]!)) == "no BMC password: set bmc.password_file in nodes.yaml")
        #expect(PowerTarget(profiles["c"]!).mac == "02:00:00:00:00:03")
    }

    @Test func anInlinePasswordMakesAnEndpoint() throws {
        let profiles = try Self.profiles("""
              a: {mac: '02:00:00:00:00:01', ip: 10.0.0.11, bmc: {address: 10.1.0.1, username: admin, password: pw, protocol: redfish, insecure: true}}
            """)
        let target = PowerTarget(profiles["a"]!)
        guard case .success(let endpoint) = target.endpoint else { Issue.record("\(target.endpoint)"); return }
        #expect(endpoint.node == "a" && endpoint.mac == "02:00:00:00:00:01" && endpoint.address == "10.1.0.1")
        #expect(endpoint.username == "admin" && endpoint.password == Secret("pw"))
        #expect(endpoint.protocol == .redfish && endpoint.port == 443 && endpoint.insecure)
    }

    @Test func aPasswordFileIsReadNowAndAMissingOneSaysSo() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("netroot-bmc-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "s3cret\n".write(toFile: directory + "/bmc", atomically: false, encoding: .utf8)
        chmod(directory + "/bmc", 0o600)
        let profiles = try Self.profiles("""
              a: {mac: '02:00:00:00:00:01', ip: 10.0.0.11, bmc: {address: 10.1.0.1, username: admin, password_file: bmc}}
              b: {mac: '02:00:00:00:00:02', ip: 10.0.0.12, bmc: {address: 10.1.0.2, username: admin, password_file: gone}}
            """, baseDirectory: directory)
        var warnings: [String] = []
        let target = PowerTarget(profiles["a"]!) { warnings.append($0) }
        guard case .success(let endpoint) = target.endpoint else { Issue.record("\(target.endpoint)"); return }
        #expect(endpoint.password == Secret("s3cret"))
        #expect(warnings.isEmpty)
        #expect(Self.failure(PowerTarget(profiles["b"]!))?.hasPrefix("the BMC password file ") == true)
    }
}
