/// The keys of a node as `netroot nodes set` names them: `ip`, `groups`, dotted `bmc.address`.
public enum NodeKeys {
    /// Every key a node may have, nested ones dotted.
    public static let all: [String] = NodesSectionReader.keys.filter { $0 != "bmc" } + BMCReader.keys.map { "bmc." + $0 }
    /// Keys whose value is a list (given comma-separated).
    public static let lists: Set<String> = ["groups"]
    /// Keys holding a file path: relative ones given on a command line are taken from the current directory.
    public static let paths: Set<String> = ["bmc.password_file", "bmc.tls_ca"]
}

extension InventoryDocument {
    /// An entry's lines for `appendEntry`: `NAME:` and its keys (dotted keys nested under their first part), in
    /// the order given.
    public static func entryLines(name: String, keys: [(key: String, value: EditValue)]) -> [String] {
        var lines = [scalar(name, inFlow: false) + ":"]
        var opened: String?
        for (key, value) in keys {
            let parts = key.split(separator: ".", maxSplits: 1).map(String.init)
            if parts.count == 2 {
                if opened != parts[0] {
                    lines.append("  " + parts[0] + ":")
                    opened = parts[0]
                }
                lines.append("    " + parts[1] + ": " + render(value, inFlow: false))
            } else {
                opened = nil
                lines.append("  " + key + ": " + render(value, inFlow: false))
            }
        }
        return lines
    }
}
