import Inventory

/// The virtual `pxelinux.cfg/…` and `grub/…` files of one inventory snapshot, answered by the TFTP server (and
/// the GRUB ones by the HTTP boot service).
public struct BootConfigFiles: Sendable {
    public let inventory: Inventory
    /// Folders holding `pxelinux.cfg/`: each bootloader's own folder (pxelinux looks beside itself).
    public let configDirectories: [String]

    public init(inventory: Inventory) {
        self.inventory = inventory
        let bootfiles = [inventory.server.biosBootfile.value, inventory.server.uefiBootfile.value]
        var directories: [String] = []
        for bootfile in bootfiles {
            let directory = bootfile.split(separator: "/").dropLast().map { $0 + "/" }.joined()
            let configDirectory = directory + "pxelinux.cfg/"
            if !directories.contains(configDirectory) { directories.append(configDirectory) }
        }
        configDirectories = directories
    }

    /// The config a node gets, as `netroot pxe-config NAME` prints it and TFTP serves it.
    public func config(for profile: BootProfile, directory: String = "pxelinux.cfg/") -> String {
        PXELinuxConfig.node(profile, pathPrefix: directory == "pxelinux.cfg/" ? "" : "/")
    }

    /// A GRUB config: the dispatcher, or the per-MAC config (an unknown MAC's leaves GRUB); nil for any other path.
    public func grubConfig(named path: String) -> String? {
        if GRUBConfig.dispatcherPaths.contains(path) { return GRUBConfig.dispatcher }
        guard let mac = GRUBConfig.mac(inConfigPath: path) else { return nil }
        return inventory.profile(mac: mac).map(GRUBConfig.node) ?? GRUBConfig.unknownMachine
    }

    /// The GRUB config a node gets, as `netroot pxe-config NAME` prints it.
    public func grubConfig(for profile: BootProfile) -> String { GRUBConfig.node(profile) }

    /// A node's config for a name pxelinux tries (or GRUB's, `grubConfig`), or nil. Tried in pxelinux's order:
    /// the UUID, `01-<mac>`, the hex IP and its prefixes; a known node asking any of them gets its own config, so
    /// the first name it tries is the one found.
    public func nodeConfig(named path: String, clientAddress: IPv4Address?) -> String? {
        if let grub = grubConfig(named: path) { return grub }
        guard let (directory, name) = split(path) else { return nil }
        let requester = clientAddress.flatMap { inventory.profile(ip: $0) }
        if name.hasPrefix("01-"), let mac = MACAddress(String(name.dropFirst(3))) {
            return inventory.profile(mac: mac).map { config(for: $0, directory: directory) }
        }
        let lower = name.lowercased()
        if Self.isUUID(lower) {
            return requester.map { config(for: $0, directory: directory) }
        }
        if (1...8).contains(lower.count), lower.allSatisfy(\.isHexDigit) {
            if lower.count == 8, let value = UInt32(lower, radix: 16), let profile = inventory.profile(ip: IPv4Address(value)) {
                return config(for: profile, directory: directory)
            }
            if let requester, Self.hexAddress(requester.ip).hasPrefix(lower) {
                return config(for: requester, directory: directory)
            }
        }
        return nil
    }

    /// `pxelinux.cfg/default` when no file of that name exists on disk.
    public func fallback(named path: String) -> String? {
        guard let (_, name) = split(path), name == "default" else { return nil }
        return PXELinuxConfig.defaultConfig
    }

    private func split(_ path: String) -> (directory: String, name: String)? {
        for directory in configDirectories where path.hasPrefix(directory) {
            let name = String(path.dropFirst(directory.count))
            if !name.isEmpty, !name.contains("/") { return (directory, name) }
        }
        return nil
    }

    /// `C0A8010B` for 192.168.1.11, as pxelinux spells it.
    static func hexAddress(_ address: IPv4Address) -> String {
        address.bytes.map { byte in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }.joined()
    }

    private static func isUUID(_ text: String) -> Bool {
        let groups = text.split(separator: "-", omittingEmptySubsequences: false)
        return groups.map(\.count) == [8, 4, 4, 4, 12] && groups.allSatisfy { $0.allSatisfy(\.isHexDigit) }
    }
}
