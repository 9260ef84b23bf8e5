import ArgumentParser
import Control
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

extension ConfigOption {
    /// The inventory's `server:` settings, from a file that need not validate elsewhere
    /// (`InventoryLoadResult.serverSettings`), with all that was loaded; otherwise the file's errors and `failure`
    /// on standard error, exit 1.
    func loadServerSettings(failure: String) throws -> (server: ServerSettings, loaded: InventoryLoadResult) {
        let loaded = InventoryLoader.load(path: path)
        guard let server = loaded.serverSettings else {
            for diagnostic in loaded.diagnostics.errors { printError(diagnostic.description) }
            printError(failure)
            throw ExitCode(1)
        }
        return (server, loaded)
    }

    /// The control socket of the server using this inventory (or `override`). A file that no longer validates
    /// still names its state directory: the server keeps running on the last good one and must stay reachable.
    func controlSocketPath(_ override: String?) throws -> String {
        if let override { return override }
        let server = try loadServerSettings(failure: "netroot: cannot find server.state_dir in \(path); pass --socket").server
        return server.stateDirectory + "/" + ControlProtocol.socketName
    }
}

extension Inventory {
    /// The node an administrator named (by name, MAC or IP); otherwise an error with a suggestion, exit 1.
    func requireProfile(matching query: String) throws -> BootProfile {
        if let profile = profile(matching: query) { return profile }
        let hint = nodeName(closestTo: query).map { " (did you mean '\($0)'?)" } ?? ""
        printError("netroot: no node '\(query)' in \(file)\(hint)")
        throw ExitCode(1)
    }
}

/// Writes one line to standard error.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// Pretty, key-sorted JSON on standard output, for scripts.
func printJSON(_ value: some Encodable) {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    if let data = try? encoder.encode(value) { print(String(decoding: data, as: UTF8.self)) }
}
