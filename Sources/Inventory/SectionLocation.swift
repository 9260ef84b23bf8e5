import Foundation
import Yams

extension InventoryLoader {
    /// Where the top-level key `section` is written in the file at `path`, when the file parses and the section
    /// holds at least one entry; nil otherwise. `netroot check` points its note about `containers:` there.
    public static func nonEmptySectionLocation(_ section: String, path: String) -> SourceLocation? {
        guard let bytes = FileManager.default.contents(atPath: path),
              let text = String(data: bytes, encoding: .utf8),
              let root = try? Yams.compose(yaml: text), let mapping = root.mapping else { return nil }
        guard let (key, value) = mapping.first(where: { $0.key.string == section }),
              let entries = value.mapping, !entries.isEmpty else { return nil }
        return key.location
    }
}
