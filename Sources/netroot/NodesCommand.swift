import ArgumentParser
import Inventory

/// `netroot nodes`: the effective settings of nodes, and edits of them (xCAT's lsdef, mkdef, chdef, rmdef).
struct NodesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nodes",
        abstract: "Show, add, change and remove the nodes of the inventory.",
        subcommands: [List.self, Show.self, AddNode.self, SetNodes.self, RemoveNodes.self, DiscoveredNodes.self,
                      AdoptNodes.self],
        defaultSubcommand: List.self
    )

    /// `netroot nodes list [NODES]`
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One line per node: name, MAC, IP, image, groups.",
            discussion: """
                NODES: node names, @group, ranges such as compute[01-64] or node[1-3,7], separated by commas; \
                all nodes when absent.

                Examples:
                  netroot nodes list --config /etc/netroot/nodes.yaml
                  netroot nodes list @compute
                  netroot nodes list 'compute[01-04],login1' --json
                  netroot nodes list --json | jq -r '.[] | select(.image == "rhel6") | .name'
                """
        )

        @Argument(help: ArgumentHelp("Which nodes (default: all).", valueName: "NODES"))
        var nodes: String?

        @OptionGroup var options: ConfigOption

        @Flag(help: """
            One JSON object per node: name, mac, ip, hostname, image, groups, kernel, initrd, root_path, cmdline, \
            bmc (a password only as password_set).
            """)
        var json = false

        func run() throws {
            let inventory = try options.loadValidInventory()
            let profiles = try nodes.map { try inventory.requireProfiles(selectedBy: $0) } ?? inventory.profiles
            if json {
                printJSON(profiles.map(NodeJSON.init))
                return
            }
            print(InventoryReport.nodeTable(profiles))
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

        @Flag(help: "The node's effective settings as one JSON object (a BMC password only as password_set).")
        var json = false

        func run() throws {
            let inventory = try options.loadValidInventory()
            let profile = try inventory.requireProfile(matching: name)
            if json {
                printJSON(NodeJSON(profile))
                return
            }
            print(InventoryReport.nodeDetails(profile, server: inventory.server))
        }
    }
}
