import ArgumentParser
import Inventory

/// `netroot nodes remove NODES`: forget nodes (xCAT's rmdef).
struct RemoveNodes: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Remove nodes from nodes.yaml (their own lines only; comments and layout are kept).",
        discussion: """
            A running netroot serve stops answering the removed nodes' MACs (unless a pool serves them) once it \
            reloads the file, at once.

            Examples:
              netroot nodes remove compute5
              netroot nodes remove 'compute[05-08]' --json
            """
    )

    @Argument(help: ArgumentHelp("Which nodes: names, @group, ranges like compute[01-64], comma-separated.",
                                 valueName: "NODES"))
    var nodes: String

    @OptionGroup var options: ConfigOption

    @Flag(help: "Print the removed nodes as JSON.")
    var json = false

    struct Removed: Encodable {
        var name: String
        var removed = true
    }

    func run() throws {
        var removed: [String] = []
        _ = try InventoryFileEdit(path: options.path).applyOrExit { document, inventory in
            removed = try inventory.requireProfiles(selectedBy: nodes).map(\.name)
            for name in removed {
                do {
                    try document.removeEntry(name, fromSection: "nodes")
                } catch {
                    printError("netroot: \(error)")
                    throw ExitCode(1)
                }
            }
        }
        if json {
            printJSON(removed.map { Removed(name: $0) })
        } else {
            removed.forEach { print("removed node \($0) from \(options.path)") }
        }
    }
}
