import Inventory
import Testing

/// `server.tftp_max_transfers` and `server.tftp_max_transfers_per_client`: defaults, values, refusals.
@Suite struct TransferLimitKeysTests {
    static func inventory(_ extra: String) -> InventoryLoadResult {
        let yaml = "server:\n  interface: br0\n\(extra)networks:\n  lan: {subnet: 10.0.0.0/24}\n"
        return InventoryLoader.parse(text: yaml, file: "nodes.yaml", baseDirectory: "/srv", fileExists: { _ in true })
    }

    @Test func defaultsFitARack() throws {
        let server = try #require(Self.inventory("").inventory).server
        #expect(server.tftpMaximumTransfers == 4096)
        #expect(server.tftpMaximumTransfersPerClient == 1024)
    }

    @Test func valuesAreTaken() throws {
        let result = Self.inventory("  tftp_max_transfers: 2000\n  tftp_max_transfers_per_client: 16\n")
        let server = try #require(result.inventory).server
        #expect(server.tftpMaximumTransfers == 2000)
        #expect(server.tftpMaximumTransfersPerClient == 16)
    }

    @Test(arguments: ["0", "-5", "many", "70000"])
    func outOfRangeIsRefusedWithItsPlace(value: String) {
        let result = Self.inventory("  tftp_max_transfers_per_client: \(value)\n")
        #expect(result.inventory == nil)
        #expect(result.diagnostics.map(\.description).contains {
            $0.hasPrefix("nodes.yaml:3:34: server: ") && $0.contains("tftp_max_transfers_per_client")
                && $0.contains("1 to 60000")
        }, "\(result.diagnostics.map(\.description))")
    }
}
