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
            discussion: """
                Examples:
                  netroot nodes list --config /etc/netroot/nodes.yaml
                  netroot nodes list --json | jq -r '.[] | select(.image == "rhel6") | .name'
                """
        )

        @OptionGroup var options: ConfigOption

        @Flag(help: "One JSON object per node: name, mac, ip, hostname, image, groups, kernel, initrd, root_path, cmdline.")
        var json = false

        func run() throws {
            let inventory = try options.loadValidInventory()
            if json {
                printJSON(inventory.profiles.map { profile in
                    NodeJSON(name: profile.name, mac: "\(profile.mac)", ip: "\(profile.ip)",
                             hostname: profile.hostname.value, network: profile.network.name,
                             image: profile.image?.value, groups: profile.groups, kernel: profile.kernel?.value,
                             initrd: profile.initrd?.value, root_path: profile.rootPath?.value.description,
                             cmdline: profile.cmdline.value)
                })
                return
            }
            print(InventoryReport.nodeTable(inventory.profiles))
        }

        /// A node's effective settings for scripts (keys as in nodes.yaml).
        struct NodeJSON: Encodable {
            var name, mac, ip, hostname, network: String
            var image: String?
            var groups: [String]
            var kernel, initrd, root_path: String?
            var cmdline: String
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
