import ArgumentParser
import Foundation
import Inventory
import NetworkSupport

/// `netroot nodes add NAME --mac M`: a node without an editor (xCAT's mkdef).
struct AddNode: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add a node to nodes.yaml (the file's comments and layout are kept).",
        discussion: """
            --ip auto (the default) takes the lowest address of the network that no node or container has, \
            outside the pool, and not the network, broadcast, router or server address. The whole file is \
            validated before it is written (a refused edit writes nothing), and it is replaced atomically, so a \
            running netroot serve reloads it at once. The BMC password is never taken on the command line: \
            write it to a file only root can read and pass --bmc-password-file.

            Examples:
              netroot nodes add compute5 --mac 52:54:00:00:00:05 --group compute
              netroot nodes add compute6 --mac 52:54:00:00:00:06 --ip 192.168.1.16 --image debian12
              netroot nodes add compute7 --mac 52:54:00:00:00:07 --group compute --bmc-address 10.1.1.7 \\
                --bmc-username ADMIN --bmc-password-file /etc/netroot/bmc-compute
            """
    )

    @Argument(help: ArgumentHelp("The node's name (a host name).", valueName: "NAME"))
    var name: String

    @Option(help: ArgumentHelp("The node's MAC address.", valueName: "MAC"))
    var mac: String

    @Option(help: ArgumentHelp("The node's address, or auto for the network's next free one.", valueName: "A|auto"))
    var ip = "auto"

    @Option(help: ArgumentHelp("With --ip auto: the network to take it from (needed when there are several).",
                               valueName: "NETWORK"))
    var network: String?

    @Option(name: .customLong("group"), help: ArgumentHelp("A group of the node (repeat for several).", valueName: "G"))
    var groups: [String] = []

    @Option(help: ArgumentHelp("The node's own image (else its groups').", valueName: "I"))
    var image: String?

    @Option(help: ArgumentHelp("The BMC's address.", valueName: "A"))
    var bmcAddress: String?

    @Option(help: ArgumentHelp("The BMC's protocol: ipmi or redfish (else the group's, else ipmi).", valueName: "P"))
    var bmcProtocol: String?

    @Option(help: ArgumentHelp("The BMC user.", valueName: "U"))
    var bmcUsername: String?

    @Option(help: ArgumentHelp("A file holding the BMC password (first line).", valueName: "FILE"))
    var bmcPasswordFile: String?

    @OptionGroup var options: ConfigOption

    @Flag(help: "Print the added node's effective settings as JSON.")
    var json = false

    func validate() throws {
        guard Names.isHostLabel(name) else {
            throw ValidationError("'\(name)' is not a valid node name (letters, digits and inner hyphens)")
        }
        guard MACAddress(mac) != nil else {
            throw ValidationError("invalid --mac '\(mac)' (expected six hex pairs like 52:54:00:00:00:01)")
        }
        guard ip == "auto" || IPv4Address(ip) != nil else {
            throw ValidationError("invalid --ip '\(ip)' (expected an IPv4 address or auto)")
        }
    }

    func run() throws {
        var address = ""
        let edited = try InventoryFileEdit(path: options.path).applyOrExit { document, inventory in
            if let existing = inventory.nodes.first(where: { $0.name == name }) {
                printError("netroot: node \(name) already exists (\(inventory.file):\(existing.location.line)); "
                               + "change it with netroot nodes set \(name) KEY=VALUE")
                throw ExitCode(1)
            }
            address = ip == "auto" ? try nextFreeAddress(inventory) : ip
            var keys: [(key: String, value: EditValue)] = [("mac", .text("\(MACAddress(mac)!)")), ("ip", .text(address))]
            if !groups.isEmpty { keys.append(("groups", .list(groups))) }
            if let image { keys.append(("image", .text(image))) }
            if let bmcAddress { keys.append(("bmc.address", .text(bmcAddress))) }
            if let bmcProtocol { keys.append(("bmc.protocol", .text(bmcProtocol))) }
            if let bmcUsername { keys.append(("bmc.username", .text(bmcUsername))) }
            if let bmcPasswordFile { keys.append(("bmc.password_file", .text(absolutePath(bmcPasswordFile)))) }
            do {
                try document.appendEntry(InventoryDocument.entryLines(name: name, keys: keys), toSection: "nodes")
            } catch {
                printError("netroot: \(error)")
                throw ExitCode(1)
            }
        }
        if json, let profile = edited.profile(named: name) {
            printJSON(NodeJSON(profile))
        } else {
            print("added node \(name) (\(MACAddress(mac)!), \(address)) to \(options.path)")
        }
    }

    /// The network's next free address; the server's own counts as taken even when nodes.yaml leaves it implicit.
    private func nextFreeAddress(_ inventory: Inventory) throws -> String {
        let network: Network
        if let name = self.network {
            guard let found = inventory.networks.first(where: { $0.name == name }) else {
                printError("netroot: no network '\(name)' in \(inventory.file)"
                               + Suggestion.hint(for: name, among: inventory.networks.map(\.name)))
                throw ExitCode(1)
            }
            network = found
        } else if inventory.networks.count == 1 {
            network = inventory.networks[0]
        } else {
            let names = inventory.networks.map(\.name).joined(separator: ", ")
            printError("netroot: --ip auto needs --network NAME: \(inventory.file) declares "
                           + (names.isEmpty ? "no networks" : names))
            throw ExitCode(1)
        }
        let taken = inventory.takenAddresses.union(serverAddresses(inventory))
        guard let address = AddressAllocator.nextFree(in: network, server: inventory.server.address, taken: taken) else {
            printError("netroot: network \(network.name) (\(network.subnet)) has no free address outside its pool")
            throw ExitCode(1)
        }
        return "\(address)"
    }
}

/// The serving interface's addresses, which `ip auto` must not hand out; a warning when they cannot be read and
/// nodes.yaml does not name the server's address either.
func serverAddresses(_ inventory: Inventory) -> Set<IPv4Address> {
    if let interface = try? InterfaceInfo.lookup(inventory.server.interface) { return Set(interface.addresses) }
    if inventory.server.address == nil {
        printError("netroot: warning: cannot read \(inventory.server.interface)'s addresses here and server.address is "
                       + "not set; an automatic address may be the server's own")
    }
    return []
}
