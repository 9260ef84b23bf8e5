import ArgumentParser
import DHCPServer
import Foundation
import Inventory

/// `netroot nodes adopt`: discovered machines become nodes, numbered in the order they were powered on (xCAT's
/// sequential discovery).
struct AdoptNodes: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adopt",
        abstract: "Add discovered machines to nodes.yaml, named and numbered in the order they were first seen.",
        discussion: """
            Takes every machine of netroot nodes discovered (or only the MACs given), sorts them by when they \
            first asked for a PXE boot, and adds each as a node: --name's {n} is replaced by --start, then \
            --start + 1, ... ({n:02} pads with zeros to 2 digits: compute01); its address is the next free one \
            of the network it asked on (as netroot nodes add --ip auto chooses it). The file's comments and \
            layout are kept, the whole file is validated before it is written, and it is replaced atomically: a \
            running netroot serve reloads it and the machines' next boot is a known node's boot. Adopted \
            machines leave the discovered list.

            Examples:
              netroot nodes adopt --name 'rack{n}' --start 17 --dry-run
              netroot nodes adopt --name 'compute{n:02}' --start 1 --group compute
              netroot nodes adopt 52:54:00:00:00:0a 52:54:00:00:00:0b --name 'gpu{n}' --image rocky9
            """
    )

    @Argument(help: ArgumentHelp("Only these discovered machines (default: all).", valueName: "MAC"))
    var macs: [String] = []

    @Option(help: ArgumentHelp("The node names: {n} is the number, {n:W} the number with W digits.",
                               valueName: "PATTERN"))
    var name: String

    @Option(help: ArgumentHelp("The first machine's number.", valueName: "N"))
    var start = 1

    @Option(help: ArgumentHelp("For machines not seen on a declared network: the network to take addresses from.",
                               valueName: "NETWORK"))
    var network: String?

    @Option(name: .customLong("group"), help: ArgumentHelp("A group of the nodes (repeat for several).", valueName: "G"))
    var groups: [String] = []

    @Option(help: ArgumentHelp("The nodes' own image (else their groups').", valueName: "I"))
    var image: String?

    @Flag(help: "Print what would be added; write nothing.")
    var dryRun = false

    @OptionGroup var options: ConfigOption

    @Flag(help: "Print the adopted nodes as JSON (name, mac, ip, network).")
    var json = false

    func validate() throws {
        for mac in macs where MACAddress(mac) == nil {
            throw ValidationError("invalid MAC '\(mac)' (expected six hex pairs like 52:54:00:00:00:01)")
        }
        guard DiscoveryAdoption.name(name, number: start) != nil else {
            throw ValidationError("--name '\(name)' needs one {n} (or {n:W} for W digits), e.g. 'compute{n}'")
        }
    }

    func run() throws {
        let machines = try selected(discoveredMachines(options))
        guard !machines.isEmpty else {
            print("no discovered machines to adopt")
            return
        }
        var adopted: [DiscoveryAdoption.Node] = []
        if dryRun {
            adopted = try plan(machines, inventory: options.loadValidInventory())
        } else {
            _ = try InventoryFileEdit(path: options.path).applyOrExit { document, inventory in
                adopted = try plan(machines, inventory: inventory)
                for node in adopted {
                    var keys: [(key: String, value: EditValue)] = [("mac", .text(node.mac)), ("ip", .text("\(node.ip)"))]
                    if !groups.isEmpty { keys.append(("groups", .list(groups))) }
                    if let image { keys.append(("image", .text(image))) }
                    do {
                        try document.appendEntry(InventoryDocument.entryLines(name: node.name, keys: keys),
                                                 toSection: "nodes")
                    } catch {
                        printError("netroot: \(error)")
                        throw ExitCode(1)
                    }
                }
            }
            forget(adopted)
        }
        if json {
            printJSON(adopted.map { Adopted(name: $0.name, mac: $0.mac, ip: "\($0.ip)", network: $0.network) })
            return
        }
        for node in adopted {
            print((dryRun ? "would add" : "added") + " node \(node.name) (\(node.mac), \(node.ip), network "
                      + "\(node.network)) to \(options.path)")
        }
    }

    struct Adopted: Encodable {
        var name: String
        var mac: String
        var ip: String
        var network: String
    }

    /// The machines named on the command line (all when none): a MAC not discovered is an error.
    private func selected(_ machines: [DiscoveredMachine]) throws -> [DiscoveredMachine] {
        guard !macs.isEmpty else { return machines }
        let wanted = macs.map { "\(MACAddress($0)!)" }
        for mac in wanted where !machines.contains(where: { $0.mac == mac }) {
            printError("netroot: \(mac) is not among the discovered machines (netroot nodes discovered)")
            throw ExitCode(1)
        }
        return machines.filter { wanted.contains($0.mac) }
    }

    private func plan(_ machines: [DiscoveredMachine], inventory: Inventory) throws -> [DiscoveryAdoption.Node] {
        do {
            return try DiscoveryAdoption.plan(machines, inventory: inventory, pattern: name, start: start,
                                              network: network, reserved: serverAddresses(inventory))
        } catch {
            printError("netroot: \(error); \(options.path) left unchanged")
            throw ExitCode(1)
        }
    }

    /// Drops the adopted machines from the discovered file (the list hides them anyway, as nodes.yaml has them
    /// now; a running serve drops them too when it next writes).
    private func forget(_ adopted: [DiscoveryAdoption.Node]) {
        guard let stateDirectory = InventoryLoader.load(path: options.path).stateDirectory else { return }
        let path = DiscoveryFile.path(stateDirectory: stateDirectory)
        let contents = DiscoveryFile.read(path: path)
        var book = DiscoveryBook(machines: contents.machines)
        guard contents.problem == nil, book.remove(Set(adopted.map(\.mac))) else { return }
        do {
            try DiscoveryFile.save(book.machines, to: path)
        } catch {
            printError("netroot: warning: \(error) (the adopted machines are hidden from the list anyway)")
        }
    }
}
