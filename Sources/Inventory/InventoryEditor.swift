/// Small edits of nodes.yaml text that keep the administrator's comments and layout (pure).
public enum InventoryEditor {
    /// Adds `block` (an entry's lines, unindented, its first line `NAME:`) to the top-level `section:`
    /// mapping, right after the section's key; appends the section when the file has none. Nil when the
    /// section is written in flow style (`images: {}`), which only a person should rewrite.
    public static func add(_ block: [String], toSection section: String, in text: String) -> String? {
        var lines = text.components(separatedBy: "\n")
        guard let keyLine = lines.firstIndex(where: { $0.hasPrefix(section + ":") }) else {
            var appended = text
            if !appended.isEmpty, !appended.hasSuffix("\n") { appended += "\n" }
            return appended + "\n" + section + ":\n" + block.map { "  " + $0 }.joined(separator: "\n") + "\n"
        }
        let rest = lines[keyLine].dropFirst(section.count + 1).trimmingCharacters(in: .whitespaces)
        guard rest.isEmpty || rest.hasPrefix("#") else { return nil }
        // Indent as the section's existing entries are indented (two spaces when it has none).
        let indent = lines[(keyLine + 1)...].first { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            return !trimmed.isEmpty && !trimmed.hasPrefix("#")
        }.map { line -> String in
            let spaces = String(line.prefix { $0 == " " })
            return spaces.isEmpty ? "  " : spaces
        } ?? "  "
        lines.insert(contentsOf: block.map { line in
            // Nested lines keep their relative indentation under the entry.
            indent + line
        }, at: keyLine + 1)
        return lines.joined(separator: "\n")
    }
}
