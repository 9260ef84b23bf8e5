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
            LOCAL yes marks a locally administered MAC (bit 0x02 of the first octet: set by software, as a \
            virtual machine's or a spoofer's; netroot nodes adopt --all skips them unless --include-local). \
            Adopt machines with netroot nodes adopt MAC... or --all.

            Examples:
              netroot nodes discovered
              netroot nodes discovered --json | jq -r '.[].mac'
            """
    )

    @OptionGroup var options: ConfigOption

    @Flag(help: """
        One JSON object per machine: mac, locally_administered (bit 0x02 of the MAC's first octet), first_seen, \
        last_seen (Unix seconds), architecture (option 93), vendor_class (option 60), relay (giaddr), network, count.
        """)
    var json = false

    func run() throws {
        let machines = try discoveredMachines(options)
        if json {
            printJSON(machines.map(DiscoveredMachineJSON.init))
            return
        }
        guard !machines.isEmpty else {
            print("no machines discovered")
            return
        }
        print(DiscoveryTable.render(machines))
    }
}

/// A discovered machine as `nodes discovered --json` writes it: the file's keys and `locally_administered`.
struct DiscoveredMachineJSON: Encodable {
    let machine: DiscoveredMachine

    private enum Key: String, CodingKey { case locallyAdministered = "locally_administered" }

    func encode(to encoder: any Encoder) throws {
        try machine.encode(to: encoder)
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(machine.isLocallyAdministered, forKey: .locallyAdministered)
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
