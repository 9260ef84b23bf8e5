import Inventory

/// Where an iPXE node finds its script on the HTTP boot service: one scheme, for DHCP (the bootfile URL) and the
/// HTTP boot service (which node a path names).
public enum IPXEScriptPath {
    /// `http://10.0.0.1:8080`: the HTTP boot service on the appliance's next-server address.
    public static func baseURL(address: IPv4Address, port: Int) -> String {
        "http://\(address):\(port)"
    }

    /// `/ipxe/01-52-54-00-00-00-01.ipxe`: named like pxelinux's per-MAC configs (ARP type 1, then the MAC).
    public static func scriptPath(mac: MACAddress) -> String {
        "/ipxe/01-" + "\(mac)".replacingOccurrences(of: ":", with: "-") + ".ipxe"
    }

    /// The MAC a script path names, nil for any other path.
    public static func mac(inScriptPath path: String) -> MACAddress? {
        guard path.hasPrefix("/ipxe/01-"), path.hasSuffix(".ipxe") else { return nil }
        let hex = path.dropFirst("/ipxe/01-".count).dropLast(".ipxe".count)
        return MACAddress(hex.replacingOccurrences(of: "-", with: ":"))
    }
}
