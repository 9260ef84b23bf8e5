import Foundation
import Inventory
import Testing

/// The shipped `config/nodes.yaml` must stay valid.
@Suite struct ExampleInventoryTests {
    static let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    @Test func exampleIsValidAndWarnsOnlyAboutImageFiles() throws {
        let path = Self.checkout.appendingPathComponent("config/nodes.yaml").path
        let result = InventoryLoader.load(path: path)
        #expect(result.diagnostics.errors.isEmpty, "\(result.diagnostics)")
        let inventory = try #require(result.inventory)
        #expect(inventory.nodes.count == 4)
        #expect(inventory.networks.map(\.name) == ["provision"])
        #expect(inventory.groups.map(\.name) == ["compute"])
        #expect(inventory.bridge?.forwardDelay == 0)
        #expect(result.diagnostics.allSatisfy { $0.message.contains("not found under tftp_root") })
        for profile in inventory.profiles {
            #expect(profile.cmdline.value.contains("root=dhcp"))
            #expect(profile.rootPath?.value.description.hasPrefix("nfs:192.168.1.200:") == true)
        }
    }
}
