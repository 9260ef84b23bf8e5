import Inventory

/// The iPXE binaries plain PXE ROMs chain-load (the script URL scheme is `IPXEScriptPath`, in BootConfig).
public enum IPXEBoot {
    /// iPXE for BIOS PXE ROMs (Debian's `ipxe` package): it uses the ROM's UNDI driver.
    public static let biosChainFile = "undionly.kpxe"
    /// iPXE for UEFI that uses the firmware's network driver (SNP): UEFI PXE and UEFI HTTP boot alike.
    public static let uefiChainFile = "snponly.efi"
}
