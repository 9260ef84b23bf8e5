import Foundation

extension InventoryLoader {
    /// Validates `bytes` already read from `path` (nil: the file could not be read), so a caller that compared
    /// them with its last read parses exactly the bytes it compared, not a second read of a file being written.
    public static func load(path: String, bytes: [UInt8]?) -> InventoryLoadResult {
        guard let bytes, let text = String(validating: bytes, as: UTF8.self) else {
            let reason = bytes == nil ? "does not exist or cannot be read" : "cannot be read as UTF-8 text"
            return InventoryLoadResult(inventory: nil, diagnostics: [
                Diagnostic(severity: .error, file: path, location: SourceLocation(line: 1, column: 1), subject: nil,
                           message: "the inventory \(reason)"),
            ])
        }
        let absolute = URL(fileURLWithPath: path).standardizedFileURL
        return parse(text: text, file: path, baseDirectory: absolute.deletingLastPathComponent().path,
                     fileExists: { FileManager.default.fileExists(atPath: $0) })
    }
}
