/// Why firmware got no boot loader from netroot, and which key to set: one text for the log, `doctor` and the
/// dashboard.
public enum BootLoaderAdvice {
    /// The firmware's name for a client architecture (RFC 4578 §2.1, IANA processor architecture types).
    public static func firmwareName(architecture: UInt16) -> String {
        switch architecture {
        case 0: "BIOS"
        case 6: "x86 (32-bit) UEFI"
        case 7, 9: "x86-64 UEFI"
        case 10: "ARM32 UEFI"
        case 11: "ARM64 UEFI"
        case 15: "x86 UEFI HTTP boot"
        case 16: "x86-64 UEFI HTTP boot"
        case 18: "ARM32 UEFI HTTP boot"
        case 19: "ARM64 UEFI HTTP boot"
        default: "client architecture \(architecture)"
        }
    }

    /// For a node whose firmware (`architecture`, HTTP boot or PXE) has no loader on its `boot` path.
    public static func missingLoader(architecture: UInt16, httpBoot: Bool, boot: BootMethod) -> String {
        let firmware = "\(firmwareName(architecture: architecture)) (client architecture \(architecture))"
        if [11, 19].contains(architecture) {
            return "netroot has no boot loader for \(firmware) with boot: \(boot): only boot: grub boots ARM64 "
                + "(the signed arm64 shim, server.bootfile.arm64_shim, from images/install-bootloaders); set "
                + "boot: grub on the node, its group or its image"
        }
        if httpBoot, [7, 9, 16].contains(architecture) {
            return "\(firmware) fetches its loader by HTTP, and pxelinux needs PXE's TFTP: set boot: grub or "
                + "boot: ipxe on the node, its group or its image"
        }
        if httpBoot {
            return "netroot has no HTTP boot loader for \(firmware): UEFI HTTP boot works for x86-64 (16) and, "
                + "with boot: grub, ARM64 (19)"
        }
        return "netroot has no boot loader for \(firmware): it boots BIOS (0), x86-64 UEFI (7, 9, 16) and, "
            + "with boot: grub, ARM64 UEFI (11, 19)"
    }
}
