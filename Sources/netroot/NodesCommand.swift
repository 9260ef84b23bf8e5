import ArgumentParser
import Inventory

/// `netroot nodes`: the effective settings of nodes.
struct NodesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nodes",
        abstract: "Show the nodes of the inventory and their effective settings.",
        subcommands: [List.self, Show.self],
        defaultSubcommand: List.self
    )

    /// `netroot nodes list`
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One line per node: name, MAC, IP, image, groups.",
            discussion: "Example:\n  netroot nodes list --config /etc/netroot/nodes.yaml"
        )

        @OptionGroup var options: ConfigOption

        func run() throws {
            let inventory = try options.loadValidInventory()
            print(InventoryReport.nodeTable(inventory.profiles))
        }
    }

    /// `netroot nodes show NAME`
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Every effective value of one node and where it came from (node, group, image, default).",
            discussion: """
                NAME may also be the node's MAC or IP address.

                Examples:
                  netroot nodes show compute1
                  netroot nodes show 52:54:00:00:00:01
                """
        )

        @Argument(help: "The node's name, MAC or IP address.")
        var name: String

        @OptionGroup var options: ConfigOption

        func run() throws {
            let inventory = try options.loadValidInventory()
            let profile = try inventory.requireProfile(matching: name)
            print(InventoryReport.nodeDetails(profile, server: inventory.server))
        }
    }
}
