import Inventory
import Testing

/// `export: nfs` and `nfs_squash: none | root | all` on an image: read, defaulted, refused at their place.
@Suite struct NFSExportKeysTests {
    /// `baseInventory` with `lines` added to image rhel6 (from line 15 on).
    private func inventory(image lines: String) -> String {
        baseInventory.replacingOccurrences(of: "    cmdline: root=dhcp ro\n", with: "    cmdline: root=dhcp ro\n" + lines)
    }

    /// What an exported rhel6 needs: its imported root under the default state_dir.
    private let files = baseFiles.union(["/var/lib/netroot/images/rhel6/rootfs"])

    @Test(arguments: [("none", NFSSquash.none), ("root", .root), ("all", .all), ("Root", .root)])
    func eachSquashValueIsRead(text: String, squash: NFSSquash) throws {
        let result = load(inventory(image: "    export: nfs\n    nfs_squash: \(text)\n"), existingFiles: files)
        let inventory = try #require(result.inventory, "\(result.diagnostics)")
        #expect(result.diagnostics.isEmpty)
        #expect(inventory.images.first?.nfsSquash == squash)
    }

    @Test func withoutTheKeyNothingIsSquashed() throws {
        let result = load(inventory(image: "    export: nfs\n"), existingFiles: files)
        let inventory = try #require(result.inventory, "\(result.diagnostics)")
        #expect(inventory.images.first?.exportsNFS == true)
        #expect(inventory.images.first?.nfsSquash == NFSSquash.none)
        #expect(NFSSquash.defaultSquash == .none)
    }

    @Test func aBadSquashValueIsRefusedAtItsPlace() {
        #expect(findings(inventory(image: "    export: nfs\n    nfs_squash: no_root_squash\n"), existingFiles: files)
                == ["nodes.yaml:16:17: image rhel6: invalid nfs_squash 'no_root_squash' (expected none, root or all)"])
    }

    @Test func aSquashOnAnImageThatIsNotExportedIsAWarning() throws {
        let result = load(inventory(image: "    nfs_squash: root\n"), existingFiles: files)
        #expect(result.inventory != nil)
        #expect(result.diagnostics.map(\.description)
                == ["nodes.yaml:15:5: warning: image rhel6: nfs_squash is ignored: the image has no export: nfs"])
    }

    @Test func anExportWithNoNetworkToMountItIsAWarning() {
        let text = inventory(image: "    export: nfs\n")
            .replacingOccurrences(of: "networks:\n  provision:\n    subnet: 192.168.1.0/24\n    router: 192.168.1.1\n"
                                      + "    pool: 192.168.1.100-192.168.1.199\n", with: "networks: {}\n")
        #expect(findings(text, existingFiles: files) == [
            "nodes.yaml:11:13: warning: image rhel6: no machine may mount this export: exports are limited to the "
                + "subnets of networks:, and none is declared"])
    }
}
