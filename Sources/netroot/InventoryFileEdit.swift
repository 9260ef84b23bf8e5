import ArgumentParser
import Foundation
import Inventory

extension InventoryFileEdit {
    /// `apply` for a command: the warnings the edit brings, and why it wrote nothing, on standard error (every
    /// finding with its FILE:LINE:COL); exit 1 then. Errors `change` throws come through as they are.
    func applyOrExit(_ change: (inout InventoryDocument, Inventory) throws -> Void) throws -> Inventory {
        do {
            return try apply(warn: { printError($0.description) }, change)
        } catch let error as InventoryEditError where error.kind != .change {
            switch error.kind {
            case .invalidNow:
                for diagnostic in error.diagnostics { printError(diagnostic.description) }
                printError("netroot: \(error)")
            case .wouldBeInvalid:
                printError("netroot: the edit would make \(path) invalid (lines as they would be after it):")
                for diagnostic in error.diagnostics { printError(diagnostic.description) }
                printError("netroot: \(path) left unchanged")
            case .change, .file, .busy:
                printError("netroot: \(error)")
            }
            throw ExitCode(1)
        }
    }
}

/// A command-line path as nodes.yaml must hold it: absolute (relative paths in the file are relative to the file,
/// not to where the command ran).
func absolutePath(_ path: String) -> String {
    path.hasPrefix("/") ? path : URL(fileURLWithPath: path).standardizedFileURL.path
}
