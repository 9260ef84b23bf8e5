import ArgumentParser
import Foundation
import Inventory

/// One edit of nodes.yaml from the command line: read under a lock, change the text, validate the whole result,
/// then replace the file atomically. An edit that would not validate writes nothing.
struct InventoryFileEdit {
    let path: String

    /// Runs `change` on the document and the inventory it holds now; returns the inventory after the edit.
    /// Exits 1 with every finding when the file is invalid now or would be after the edit.
    func apply(_ change: (inout InventoryDocument, Inventory) throws -> Void) throws -> Inventory {
        let lock = try lockFile()
        defer { close(lock) }
        let loaded = InventoryLoader.load(path: path)
        guard let current = loaded.inventory else {
            for diagnostic in loaded.diagnostics { printError(diagnostic.description) }
            printError("netroot: \(path) is invalid now; fix it first (netroot check), then edit it")
            throw ExitCode(1)
        }
        guard let original = try? String(contentsOfFile: path, encoding: .utf8) else {
            printError("netroot: cannot read \(path)")
            throw ExitCode(1)
        }
        var document = InventoryDocument(text: original)
        try change(&document, current)
        let directory = URL(fileURLWithPath: path).standardizedFileURL.deletingLastPathComponent().path
        let result = InventoryLoader.parse(text: document.text, file: path, baseDirectory: directory,
                                           fileExists: { FileManager.default.fileExists(atPath: $0) })
        guard let edited = result.inventory else {
            printError("netroot: the edit would make \(path) invalid (lines as they would be after it):")
            for diagnostic in result.diagnostics.errors { printError(diagnostic.description) }
            printError("netroot: \(path) left unchanged")
            throw ExitCode(1)
        }
        // Warnings the edit brings (a password file others can read, say) are worth saying once.
        let before = Set(loaded.diagnostics.warnings.map { "\($0.subject ?? "") \($0.message)" })
        for warning in result.diagnostics.warnings where !before.contains("\(warning.subject ?? "") \(warning.message)") {
            printError(warning.description)
        }
        if document.text != original { try Self.replace(path, with: document.text) }
        return edited
    }

    /// An exclusive flock on the inventory, so two edits in a row do not lose one; retried when the file was
    /// replaced while waiting (the lock was on the old file).
    private func lockFile() throws -> Int32 {
        for _ in 0..<10 {
            let descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else {
                printError("netroot: cannot open \(path): \(String(cString: strerror(errno)))")
                throw ExitCode(1)
            }
            flock(descriptor, LOCK_EX)
            var locked = stat(), named = stat()
            if fstat(descriptor, &locked) == 0, stat(path, &named) == 0, locked.st_ino == named.st_ino,
               locked.st_dev == named.st_dev {
                return descriptor
            }
            close(descriptor)
        }
        printError("netroot: \(path) keeps being replaced; try again")
        throw ExitCode(1)
    }

    /// Replaces `path` atomically (`AtomicFile`): a reader (a running serve) sees the old file or the new, never
    /// half.
    static func replace(_ path: String, with text: String) throws {
        do {
            try AtomicFile.replace(path, with: Array(text.utf8))
        } catch {
            printError("netroot: \(error)")
            throw ExitCode(1)
        }
    }
}

/// A command-line path as nodes.yaml must hold it: absolute (relative paths in the file are relative to the file,
/// not to where the command ran).
func absolutePath(_ path: String) -> String {
    path.hasPrefix("/") ? path : URL(fileURLWithPath: path).standardizedFileURL.path
}
