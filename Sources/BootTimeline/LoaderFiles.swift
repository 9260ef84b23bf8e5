/// File names boot loaders ask for whose meaning the timeline and the doctor need: shim's second stage, and the
/// files shim and GRUB look for and go on without (absent is normal, not a failed boot).
public enum LoaderFiles {
    /// What shim loads after itself, by the names it looks for (FIRMWARE-FACTS: at the root, not beside shim).
    public static let shimSecondStages: Set<String> = ["grubx64.efi", "grubaa64.efi"]

    /// What a Secure Boot chain's file is, for the timeline (`shim`, `GRUB, loaded by shim`, `GRUB config`); nil
    /// for any other file. The shim is named by Debian's and netroot's default names.
    public static func role(of path: String) -> String? {
        let name = (path.split(separator: "/").last.map(String.init) ?? path).lowercased()
        if shimSecondStages.contains(name) { return "GRUB, loaded by shim" }
        if ["bootx64.efi", "bootaa64.efi"].contains(name) || name.hasPrefix("shim") && name.hasSuffix(".efi")
            && !name.hasPrefix("shim_certificate") { return "shim" }
        if path.hasPrefix("grub/grub.cfg-") { return "the node's GRUB config" }
        if path == "grub/grub.cfg" || path.hasPrefix("grub/") && name == "grub.cfg" { return "GRUB's config dispatcher" }
        if isOptionalProbe(path) {
            return path.hasPrefix("grub/") ? "looked for by GRUB" : "looked for by shim"
        }
        return nil
    }

    /// shim's optional files (SBAT and SKU revocations, extra certificates), and GRUB's module lists, locales and
    /// fonts under `grub/`: looked for on every boot, served by nobody.
    public static func isOptionalProbe(_ path: String) -> Bool {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        if ["revocations_sku.efi", "revocations_sbat.efi"].contains(name) { return true }
        if name.hasPrefix("shim_certificate"), name.hasSuffix(".efi") { return true }
        return path.hasPrefix("grub/") && !path.hasPrefix("grub/grub.cfg")
    }
}
