import ArgumentParser
import Foundation
import Inventory

/// `--config PATH`, shared by every command that reads the inventory.
struct ConfigOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The inventory file.", valueName: "PATH"))
    var config: String?

    /// A checkout's own example wins over the system file, so `netroot` just works from the source tree.
    static func defaultPath(fileExists: (String) -> Bool = { FileManager.default.fileExists(atPath: $0) }) -> String {
        fileExists("config/nodes.yaml") ? "config/nodes.yaml" : "/etc/netroot/nodes.yaml"
    }

    var path: String { config ?? Self.defaultPath() }

    /// Loads the inventory for commands that need a valid one; errors go to stderr and exit 1.
    func loadValidInventory() throws -> Inventory {
        let result = InventoryLoader.load(path: path)
        guard let inventory = result.inventory else {
            for diagnostic in result.diagnostics { printError(diagnostic.description) }
            printError(InventoryReport.summary(file: path, inventory: nil, diagnostics: result.diagnostics))
            throw ExitCode(1)
        }
        return inventory
    }
}

/// Writes one line to standard error.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
