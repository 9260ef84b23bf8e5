import Inventory

/// The iPXE binaries plain PXE ROMs chain-load (the script URL scheme is `IPXEScriptPath`, in BootConfig), and
/// the shims of `boot: grub`.
public enum IPXEBoot {
    /// iPXE for BIOS PXE ROMs (Debian's `ipxe` package): it uses the ROM's UNDI driver.
    public static let biosChainFile = "undionly.kpxe"
    /// iPXE for UEFI that uses the firmware's network driver (SNP): UEFI PXE and UEFI HTTP boot alike.
    public static let uefiChainFile = "snponly.efi"

    /// The signed shim `boot: grub` gives this firmware (`server.bootfile.uefi_shim` / `arm64_shim`); nil for
    /// BIOS, which has no Secure Boot and takes pxelinux.
    public static func shim(for firmware: ClientFacts.Firmware?, server: ServerSettings) -> String? {
        switch firmware {
        case .uefi: server.uefiShimBootfile.value
        case .arm64: server.arm64ShimBootfile.value
        case .bios, nil: nil
        }
    }
}
