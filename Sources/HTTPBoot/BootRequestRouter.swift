import BootConfig
import Inventory

/// What a request path names on the HTTP boot service (pure): a node's iPXE script or a GRUB config, a file under
/// the root, or nothing (with why, for the 404 and the timeline).
public enum BootResource: Equatable, Sendable {
    case script(node: String, text: String)
    /// A generated GRUB config: the dispatcher or a per-MAC config.
    case generated(text: String)
    case file(path: String)
    case notFound(reason: String)
}

public enum BootRequestRouter {
    /// `/ipxe/01-<mac>.ipxe` is the node's script when the inventory knows the MAC; any other path is a file
    /// for the escape-proof root to judge. The path arrives percent-decoded, without its query.
    public static func resource(for path: String, inventory: Inventory, baseURL: String) -> BootResource {
        // shim asks `//grubx64.efi` over HTTP: names are taken relative to the root, however many slashes lead.
        let relative = String(path.drop { $0 == "/" })
        if relative.hasPrefix("grub/"), let text = BootConfigFiles(inventory: inventory).grubConfig(named: relative) {
            return .generated(text: text)
        }
        if path.hasPrefix("/ipxe/") {
            guard let mac = IPXEScriptPath.mac(inScriptPath: path) else {
                return .notFound(reason: "not a script name (/ipxe/01-<mac>.ipxe)")
            }
            guard let profile = inventory.profile(mac: mac) else {
                return .notFound(reason: "no node with MAC \(mac) in nodes.yaml")
            }
            return .script(node: profile.name, text: IPXEScript.node(profile, baseURL: baseURL))
        }
        return .file(path: path)
    }

    /// `%2e%2E/x` → `../x`, so the root's checks see what the client meant; nil for a bad escape or a NUL.
    public static func percentDecoded(_ path: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(path.utf8).makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                return nil
            }
            bytes.append(high << 4 | low)
        }
        guard !bytes.contains(0) else { return nil }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
