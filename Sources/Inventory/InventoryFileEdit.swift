import Foundation

/// One edit of nodes.yaml: the file read under an exclusive lock, its text changed (comments and layout kept:
/// `InventoryDocument`, `InventoryEditor`), the whole result validated, then written atomically (`AtomicFile`:
/// synced, renamed over, the directory synced). An edit that would not validate writes nothing.
public struct InventoryFileEdit: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    /// Runs `change` on the document and the inventory it holds now; returns the inventory after the edit.
    /// Throws `InventoryEditError` when the file is invalid now (`invalidNow`) or would be after the edit
    /// (`wouldBeInvalid`), or cannot be locked, read or replaced; an error `change` throws comes through as it is.
    /// `warn` hears the warnings the edit brings (a password file others can read, say), before the file is written.
    public func apply(warn: (Diagnostic) -> Void = { _ in },
                      _ change: (inout InventoryDocument, Inventory) throws -> Void) throws -> Inventory {
        try edit(requiringValid: true, warn: warn) { text, loaded in
            guard let current = loaded.inventory else { preconditionFailure("edit(requiringValid:) checked it") }
            var document = InventoryDocument(text: text)
            try change(&document, current)
            return document.text
        }
    }

    /// Runs `change` on the file's text and what it holds now, which need not validate (a node may name an image
    /// not imported yet); the text it returns must. Returns the inventory after the edit; throws as `apply` does.
    public func applyToText(warn: (Diagnostic) -> Void = { _ in },
                            _ change: (String, InventoryLoadResult) throws -> String) throws -> Inventory {
        try edit(requiringValid: false, warn: warn, change)
    }

    private func edit(requiringValid: Bool, warn: (Diagnostic) -> Void,
                      _ change: (String, InventoryLoadResult) throws -> String) throws -> Inventory {
        let lock = try lockFile()
        defer { close(lock) }
        let loaded = InventoryLoader.load(path: path)
        if requiringValid, loaded.inventory == nil {
            throw InventoryEditError("\(path) is invalid now; fix it first (netroot check), then edit it",
                                     kind: .invalidNow, diagnostics: loaded.diagnostics)
        }
        guard let original = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw InventoryEditError("cannot read \(path)", kind: .file)
        }
        let text = try change(original, loaded)
        let directory = URL(fileURLWithPath: path).standardizedFileURL.deletingLastPathComponent().path
        let result = InventoryLoader.parse(text: text, file: path, baseDirectory: directory,
                                           fileExists: { FileManager.default.fileExists(atPath: $0) })
        guard let edited = result.inventory else {
            throw InventoryEditError("the edit would make \(path) invalid", kind: .wouldBeInvalid,
                                     diagnostics: result.diagnostics.errors)
        }
        let before = Set(loaded.diagnostics.warnings.map { "\($0.subject ?? "") \($0.message)" })
        for warning in result.diagnostics.warnings where !before.contains("\(warning.subject ?? "") \(warning.message)") {
            warn(warning)
        }
        if text != original {
            do {
                try AtomicFile.replace(path, with: Array(text.utf8))
            } catch {
                throw InventoryEditError(error.description, kind: .file)
            }
        }
        return edited
    }

    /// An exclusive flock on the inventory, so two edits in a row do not lose one; retried when the file was
    /// replaced while waiting (the lock was on the old file).
    private func lockFile() throws(InventoryEditError) -> Int32 {
        for _ in 0..<10 {
            let descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else {
                throw InventoryEditError("cannot open \(path): \(String(cString: strerror(errno)))", kind: .file)
            }
            flock(descriptor, LOCK_EX)
            var locked = stat(), named = stat()
            if fstat(descriptor, &locked) == 0, stat(path, &named) == 0, locked.st_ino == named.st_ino,
               locked.st_dev == named.st_dev {
                return descriptor
            }
            close(descriptor)
        }
        throw InventoryEditError("\(path) keeps being replaced; try again", kind: .busy)
    }
}
