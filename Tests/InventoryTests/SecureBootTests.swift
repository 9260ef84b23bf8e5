import HexFixtures
import Inventory
import Testing

/// `boot: grub`, `secure_boot` and the shim bootfiles: validated at their place; a boot path Secure Boot refuses
/// is an error where it was chosen; an unsigned kernel is a warning, judged from real binaries' headers.
@Suite struct SecureBootTests {
    private func inventory(image: String = "", group: String = "", node: String = "", server: String = "") -> String {
        baseInventory
            .replacingOccurrences(of: "  address: 192.168.1.200\n", with: "  address: 192.168.1.200\n" + server)
            .replacingOccurrences(of: "    cmdline: root=dhcp ro\n", with: "    cmdline: root=dhcp ro\n" + image)
            .replacingOccurrences(of: "    image: rhel6\n", with: "    image: rhel6\n" + group)
            + "  compute1: {mac: \"52:54:00:00:00:01\", ip: 192.168.1.11, groups: [compute]\(node)}\n"
            + "  compute2: {mac: \"52:54:00:00:00:02\", ip: 192.168.1.12, groups: [compute]}\n"
    }

    /// The base inventory's files and the signed loaders images/install-bootloaders puts in the root.
    static let files = baseFiles.union(["bootx64.efi", "grubx64.efi", "bootaa64.efi", "grubaa64.efi"]
        .map { "/srv/images/" + $0 })

    /// Parsed with the kernel's first bytes from `kernelHead` (nil: unreadable).
    private func load(_ yaml: String, kernelHead: [UInt8]?, files: Set<String> = SecureBootTests.files)
        -> InventoryLoadResult {
        InventoryLoader.parse(text: yaml, file: "nodes.yaml", baseDirectory: "/srv/config",
                              fileExists: { files.contains($0) }, fileMode: { _ in nil }, environment: [:],
                              fileHead: { $0 == "/srv/images/rhel6/vmlinuz" ? kernelHead : nil })
    }

    private func head(_ name: String) throws -> [UInt8] { try HexFixture.capture("\(name).head.hex") }

    @Test func grubAndSecureBootResolveLikeTheOtherBootKeys() throws {
        let result = load(inventory(image: "    boot: grub\n    secure_boot: true\n", node: ", secure_boot: false"),
                          kernelHead: try head("vmlinuz-amd64-signed"))
        let inventory = try #require(result.inventory, "\(result.diagnostics)")
        #expect(result.diagnostics.isEmpty)
        #expect(inventory.profile(named: "compute2")?.boot == Resolved(.grub, from: .image("rhel6")))
        #expect(inventory.profile(named: "compute2")?.secureBoot == Resolved(true, from: .image("rhel6")))
        #expect(inventory.profile(named: "compute1")?.secureBoot == Resolved(false, from: .node))
        #expect(inventory.server.uefiShimBootfile == Resolved("bootx64.efi", from: .defaultValue))
        #expect(inventory.server.arm64ShimBootfile == Resolved("bootaa64.efi", from: .defaultValue))
    }

    @Test func theShimBootfilesAreServerKeys() throws {
        let yaml = inventory(server: "  bootfile: {uefi_shim: signed/shimx64.efi, arm64_shim: signed/shimaa64.efi}\n")
        let inventory = try #require(load(yaml, kernelHead: nil).inventory)
        #expect(inventory.server.uefiShimBootfile == Resolved("signed/shimx64.efi", from: .server))
        #expect(inventory.server.arm64ShimBootfile == Resolved("signed/shimaa64.efi", from: .server))
    }

    @Test func secureBootWithPXELinuxIsRefusedWhereSecureBootWasSet() {
        // The image turns Secure Boot on and no boot: key exists: the error points at secure_boot (line 15).
        let result = load(inventory(image: "    secure_boot: true\n"), kernelHead: nil)
        #expect(result.inventory == nil)
        #expect(result.diagnostics.map(\.description) == [
            "nodes.yaml:15:18: node compute1 (and 1 more nodes): secure_boot: true (image rhel6) but boot: pxelinux "
                + "(default): Secure Boot firmware refuses syslinux.efi (not signed); set boot: grub (signed shim "
                + "and GRUB)"])
    }

    @Test func secureBootWithIPXEIsRefusedWhereIPXEWasChosen() {
        // The node chose iPXE (line 20, its flow mapping): that is the key to change, not the image's secure_boot.
        let result = load(inventory(image: "    secure_boot: true\n    boot: grub\n", node: ", boot: ipxe"),
                          kernelHead: nil)
        #expect(result.inventory == nil)
        let lines = result.diagnostics.map(\.description)
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("nodes.yaml:21:") == true, "\(lines)")
        #expect(lines.first?.contains("node compute1: secure_boot: true (image rhel6) but boot: ipxe (node): "
                                      + "Secure Boot firmware refuses iPXE") == true, "\(lines)")
    }

    @Test func missingLoadersAreAWarningWhereGRUBWasChosen() {
        let yaml = inventory(group: "    boot: grub\n")
        let files = SecureBootTests.files.subtracting(["/srv/images/grubaa64.efi", "/srv/images/bootaa64.efi"])
        #expect(load(yaml, kernelHead: nil, files: files).diagnostics.map(\.description) == [
            "nodes.yaml:18:11: warning: node compute1: boot: grub needs the signed shim and GRUB under tftp_root "
                + "/srv/images; not found: bootaa64.efi (ARM64), grubaa64.efi (ARM64) (images/install-bootloaders "
                + "installs them)"])
        #expect(load(yaml, kernelHead: nil).diagnostics.isEmpty)
    }

    @Test func aBadSecureBootValueIsRefusedAtItsPlace() {
        #expect(load(inventory(group: "    secure_boot: maybe\n"), kernelHead: nil).diagnostics.map(\.description)
                == ["nodes.yaml:18:18: group compute: invalid secure_boot 'maybe' (expected true or false)"])
    }

    @Test func anUnsignedKernelIsAWarningAndASignedOneIsNot() throws {
        let yaml = inventory(image: "    boot: grub\n    secure_boot: true\n")
        let unsigned = load(yaml, kernelHead: try head("snponly-efi-unsigned"))
        #expect(unsigned.inventory != nil)
        #expect(unsigned.diagnostics.map(\.description) == [
            "nodes.yaml:10:3: warning: image rhel6: kernel 'rhel6/vmlinuz' has no signature: with Secure Boot on, "
                + "GRUB (through shim) refuses to start it; use the distribution's signed kernel"])
        #expect(load(yaml, kernelHead: try head("vmlinuz-amd64-signed")).diagnostics.isEmpty)
        // Without secure_boot nobody asks.
        #expect(load(inventory(image: "    boot: grub\n"), kernelHead: try head("snponly-efi-unsigned"))
            .diagnostics.isEmpty)
        #expect(load(yaml, kernelHead: Array("#!ipxe\n".utf8)).diagnostics.map(\.description).first?
            .contains("is not an EFI (PE) image") == true)
    }
}

/// Authenticode presence read from the headers of real Debian binaries.
@Suite struct PESignatureTests {
    @Test(arguments: [("vmlinuz-amd64-signed", PESignature.Verdict.signed), ("linux-arm64-signed", .signed),
                      ("shimx64-signed", .signed), ("snponly-efi-unsigned", .unsigned)])
    func realBinaries(name: String, verdict: PESignature.Verdict) throws {
        #expect(PESignature.verdict(head: try HexFixture.capture("\(name).head.hex")) == verdict)
    }

    @Test func shortOrForeignBytesAreNotPE() throws {
        #expect(PESignature.verdict(head: []) == .notPE)
        #expect(PESignature.verdict(head: Array(repeating: 0x4D, count: 100)) == .notPE)
        // A header cut before its data directories: unsigned, never an out-of-bounds read.
        let kernel = try HexFixture.capture("vmlinuz-amd64-signed.head.hex")
        for length in stride(from: 0, through: kernel.count, by: 7) {
            _ = PESignature.verdict(head: Array(kernel.prefix(length)))
        }
        #expect(PESignature.verdict(head: Array(kernel.prefix(200))) == .unsigned)
    }
}
