/// `secure_boot: true` checked against each node's boot path and kernel: a path Secure Boot firmware refuses is
/// an error where it was chosen, a kernel without signature a warning (GRUB, through shim, would refuse it). And
/// `boot: grub` against the loaders it needs under tftp_root.
struct SecureBootCheck {
    let collector: DiagnosticCollector
    /// The first bytes of a file (`PESignature.headLength`), nil when it cannot be read.
    let fileHead: (String) -> [UInt8]?
    let fileExists: (String) -> Bool

    func check(_ inventory: Inventory) {
        checkLoaders(inventory)
        var refused: [SourceLocation: (node: String, why: String, count: Int)] = [:]
        var kernelsChecked: Set<String> = []
        for profile in inventory.profiles where profile.secureBoot.value {
            if profile.boot.value != .grub {
                let location = bootLocation(profile, in: inventory)
                    ?? secureBootLocation(profile, in: inventory) ?? profile.network.location
                if let earlier = refused[location] {
                    refused[location]?.count = earlier.count + 1
                } else {
                    refused[location] = (profile.name, refusal(profile), 1)
                }
            }
            if let image = profile.image?.value, let kernel = profile.kernel?.value,
               kernelsChecked.insert(image).inserted {
                checkKernel(kernel, image: image, in: inventory)
            }
        }
        for (location, refusal) in refused {
            let others = refusal.count > 1 ? " (and \(refusal.count - 1) more nodes)" : ""
            collector.error(at: location, "node \(refusal.node)\(others)", refusal.why)
        }
    }

    private func refusal(_ profile: BootProfile) -> String {
        let method = profile.boot
        let loader = method.value == .ipxe ? "iPXE (Debian's snponly.efi and ipxe.efi are not signed)"
            : "syslinux.efi (not signed)"
        return "secure_boot: true (\(profile.secureBoot.source)) but boot: \(method.value) (\(method.source)): "
            + "Secure Boot firmware refuses \(loader); set boot: grub (signed shim and GRUB)"
    }

    /// Where the node's effective `boot:` was written, nil when it is the default.
    private func bootLocation(_ profile: BootProfile, in inventory: Inventory) -> SourceLocation? {
        keys(profile.boot.source, node: profile.name, in: inventory)?.boot
    }

    private func secureBootLocation(_ profile: BootProfile, in inventory: Inventory) -> SourceLocation? {
        keys(profile.secureBoot.source, node: profile.name, in: inventory)?.secureBoot
    }

    private func keys(_ source: Provenance, node: String, in inventory: Inventory) -> BootKeyLocations? {
        switch source {
        case .node: inventory.node(named: node)?.bootKeys
        case .group(let name): inventory.groups.first { $0.name == name }?.bootKeys
        case .image(let name): inventory.images.first { $0.name == name }?.bootKeys
        case .network, .server, .defaultValue: nil
        }
    }

    /// The shims and GRUBs `boot: grub` hands out, looked for once, where the first node choosing GRUB chose it.
    private func checkLoaders(_ inventory: Inventory) {
        let root = inventory.server.tftpRoot
        guard fileExists(root), let first = inventory.profiles.first(where: { $0.boot.value == .grub }) else { return }
        let location = bootLocation(first, in: inventory) ?? inventory.node(named: first.name)!.location
        let server = inventory.server
        let loaders = [(server.uefiShimBootfile.value, "x86-64"), ("grubx64.efi", "x86-64"),
                       (server.arm64ShimBootfile.value, "ARM64"), ("grubaa64.efi", "ARM64")]
        let missing = loaders.filter { !fileExists(root.hasSuffix("/") ? root + $0.0 : root + "/" + $0.0) }
        guard !missing.isEmpty else { return }
        let names = missing.map { "\($0.0) (\($0.1))" }.joined(separator: ", ")
        collector.warning(at: location, "node \(first.name)", "boot: grub needs the signed shim and GRUB under "
                              + "tftp_root \(root); not found: \(names) (images/install-bootloaders installs them)")
    }

    private func checkKernel(_ kernel: String, image: String, in inventory: Inventory) {
        let root = inventory.server.tftpRoot
        let path = root.hasSuffix("/") ? root + kernel : root + "/" + kernel
        guard let head = fileHead(path),
              let location = inventory.images.first(where: { $0.name == image })?.location else { return }
        switch PESignature.verdict(head: head) {
        case .signed:
            break
        case .unsigned:
            collector.warning(at: location, "image \(image)", "kernel '\(kernel)' has no signature: with Secure Boot "
                                  + "on, GRUB (through shim) refuses to start it; use the distribution's signed kernel")
        case .notPE:
            collector.warning(at: location, "image \(image)", "kernel '\(kernel)' is not an EFI (PE) image: Secure "
                                  + "Boot firmware cannot start it")
        }
    }
}
