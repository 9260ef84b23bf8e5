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
            Takes the MACs given, or with --all every machine of netroot nodes discovered, sorts them by when \
            they first asked for a PXE boot, and adds each as a node: --name's {n} is replaced by --start, then \
            --start + 1, ... ({n:02} pads with zeros to 2 digits: compute01); its address is the next free one \
            of the network it asked on (as netroot nodes add --ip auto chooses it). The file's comments and \
            layout are kept, the whole file is validated before it is written, and it is replaced atomically: a \
            running netroot serve reloads it and the machines' next boot is a known node's boot. Adopted \
            machines leave the discovered list.

            Anything on the VLAN can send a PXE DISCOVER from a MAC of its choosing, so taking every discovered \
            machine must be asked for (--all), and can be narrowed: --network NAME takes only machines seen on \
            that network, --since only those first seen since a time or within a duration. --all leaves out \
            locally administered MACs (bit 0x02 of the first octet: set by software, as QEMU/KVM's 52:54:00:... \
            and anyone spoofing; LOCAL in netroot nodes discovered) unless --include-local.

            Examples:
              netroot nodes adopt --all --since 1h --name 'rack{n}' --start 17 --dry-run
              netroot nodes adopt --all --network provision --name 'cn{n:02}' --group cn
              netroot nodes adopt 00:25:90:00:00:0a 00:25:90:00:00:0b --name 'gpu{n}'
            """
    )

    @Argument(help: ArgumentHelp("The discovered machines to adopt (or --all).", valueName: "MAC"))
    var macs: [String] = []

    @Flag(help: ArgumentHelp("Adopt every discovered machine (narrowed by --network and --since; locally "
                             + "administered MACs only with --include-local)."))
    var all = false

    @Option(help: ArgumentHelp("The node names: {n} is the number, {n:W} the number with W digits.",
                               valueName: "PATTERN"))
    var name: String

    @Option(help: ArgumentHelp("The first machine's number.", valueName: "N"))
    var start = 1

    @Option(help: ArgumentHelp("With --all: only machines seen on this network. For MACs given: the network to take "
                               + "addresses from for a machine not seen on a declared one.", valueName: "NAME"))
    var network: String?

    @Option(help: ArgumentHelp("With --all: only machines first seen since TIME (UTC: '2026-12-07 17:00', "
                               + "2026-12-07T17:00:00Z) or within DURATION (30m, 2h, 1d).",
                               valueName: "DURATION|TIME"))
    var since: String?

    @Flag(help: "With --all: take locally administered MACs too (virtual machines; also what a spoofer would use).")
    var includeLocal = false

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
        if macs.isEmpty, !all {
            throw ValidationError("name the MACs to adopt, or pass --all to adopt every discovered machine "
                                  + "(see netroot nodes discovered; --network and --since narrow --all)")
        }
        if !macs.isEmpty, all { throw ValidationError("give MACs or --all, not both") }
        if !all, since != nil { throw ValidationError("--since narrows --all; for MACs given it does not apply") }
        if !all, includeLocal { throw ValidationError("--include-local goes with --all; MACs given are adopted as given") }
        if let since, DiscoveryAdoption.since(since, now: 0) == nil {
            throw ValidationError("--since '\(since)' is neither a duration (30m, 2h, 1d) nor a UTC time "
                                  + "('2026-12-07 17:00', 2026-12-07T17:00:00Z)")
        }
        guard DiscoveryAdoption.name(name, number: start) != nil else {
            throw ValidationError("--name '\(name)' needs one {n} (or {n:W} for W digits), e.g. 'compute{n}'")
        }
    }

    func run() throws {
        if all, let network {
            // A misspelt network would otherwise select nothing and say only that.
            let inventory = try options.loadValidInventory()
            guard inventory.networks.contains(where: { $0.name == network }) else {
                printError("netroot: no network '\(network)' in \(options.path); \(options.path) left unchanged")
                throw ExitCode(1)
            }
        }
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

    /// The machines named on the command line (a MAC not discovered is an error), or with --all those the
    /// selection takes (what it left out is said on standard error).
    private func selected(_ machines: [DiscoveredMachine]) throws -> [DiscoveredMachine] {
        if all {
            let selection = DiscoveryAdoption.Selection(
                network: network, since: since.flatMap { DiscoveryAdoption.since($0, now: Date().timeIntervalSince1970) },
                includeLocal: includeLocal)
            let outcome = selection.apply(machines)
            if let leftOut = outcome.leftOut { printError("netroot: \(leftOut)") }
            return outcome.machines
        }
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
