import ArgumentParser
import DHCPServer
import Foundation
import Inventory
import Values

/// `netroot nodes discovered`: machines nodes.yaml does not know that asked for a PXE boot (xCAT's discovery).
struct DiscoveredNodes: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "discovered",
        abstract: "Machines not in nodes.yaml that asked for a PXE boot, in the order they were first seen.",
        discussion: """
            netroot serve remembers every machine whose MAC nodes.yaml does not list and whose DHCP DISCOVER or \
            REQUEST comes from boot firmware (option 60 PXEClient or HTTPClient, or iPXE) in \
            STATE_DIR/discovered.json, across restarts (at most 4,096, the longest unseen forgotten first). This \
            command reads that file: it works without a running serve. Machines nodes.yaml lists now are left out. \
            Adopt them with netroot nodes adopt.

            Examples:
              netroot nodes discovered
              netroot nodes discovered --json | jq -r '.[].mac'
            """
    )

    @OptionGroup var options: ConfigOption

    @Flag(help: """
        One JSON object per machine: mac, first_seen, last_seen (Unix seconds), architecture (option 93), \
        vendor_class (option 60), relay (giaddr), network, count.
        """)
    var json = false

    func run() throws {
        let machines = try discoveredMachines(options)
        if json {
            printJSON(machines)
            return
        }
        guard !machines.isEmpty else {
            print("no machines discovered")
            return
        }
        print(DiscoveryTable.render(machines))
    }
}

/// The discovered machines of the inventory's state directory, those nodes.yaml lists left out. An inventory that
/// does not validate still names its state directory (nothing is then left out).
func discoveredMachines(_ options: ConfigOption) throws -> [DiscoveredMachine] {
    let (server, result) = try options.loadServerSettings(failure: "netroot: cannot find server.state_dir in \(options.path)")
    let contents = DiscoveryFile.read(path: DiscoveryFile.path(stateDirectory: server.stateDirectory))
    if let problem = contents.problem { printError(Terminal.safe("netroot: warning: \(problem)")) }
    let known = Set(result.inventory?.nodes.map { "\($0.mac)" } ?? [])
    return DiscoveryBook(machines: contents.machines).machines.filter { !known.contains($0.mac) }
}
