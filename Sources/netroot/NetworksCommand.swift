import ArgumentParser
import Bridge
import BridgeNetlink
import Foundation
import Inventory

/// `netroot networks detect`: a `networks:` entry from the serving interface (xCAT's makenetworks).
struct NetworksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "networks",
        abstract: "Networks of the inventory, detected from the host.",
        subcommands: [DetectNetwork.self]
    )
}

/// `netroot networks detect [--name N] [--write]`.
struct DetectNetwork: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detect",
        abstract: "Print a networks: entry for server.interface's IPv4 address, prefix and default route.",
        discussion: """
            The subnet is the interface's first IPv4 address with its prefix; the router is the default route's \
            gateway when it lies in that subnet. --write adds the entry to nodes.yaml (validated first, written \
            atomically, comments kept); a subnet the inventory already declares is left as it is.

            Examples:
              netroot networks detect
              netroot networks detect --name provision --write
              netroot networks detect --interface eth1 --json
            """
    )

    @Option(help: ArgumentHelp("The network's name (default: provision, or one made from the subnet).",
                               valueName: "N"))
    var name: String?

    @Option(help: ArgumentHelp("The interface to read (default: server.interface).", valueName: "IF"))
    var interface: String?

    @Flag(help: "Add the entry to nodes.yaml.")
    var write = false

    @Flag(help: "Print the detected network as JSON.")
    var json = false

    @OptionGroup var options: ConfigOption

    struct DetectedJSON: Encodable {
        var name, subnet, interface: String
        var router: String?
        var declared_as: String?
    }

    func validate() throws {
        if let name, !Names.isHostLabel(name) {
            throw ValidationError("'\(name)' is not a valid network name (letters, digits and inner hyphens)")
        }
    }

    func run() throws {
        let loaded = InventoryLoader.load(path: options.path)
        guard let link = interface ?? loaded.serverSettings?.interface else {
            for diagnostic in loaded.diagnostics.errors { printError(diagnostic.description) }
            printError("netroot: cannot read server.interface from \(options.path); pass --interface")
            throw ExitCode(1)
        }
        var detected = try detect(on: link)
        let declared = loaded.inventory?.networks ?? []
        let existing = declared.first { $0.subnet == detected.subnet }
        detected.name = name ?? existing?.name
            ?? DetectedNetwork.defaultName(taken: Set(declared.map(\.name)), subnet: detected.subnet)
        if json {
            printJSON(DetectedJSON(name: detected.name, subnet: "\(detected.subnet)", interface: link,
                                   router: detected.router.map { "\($0)" }, declared_as: existing?.name))
        } else {
            print("networks:")
            detected.entryLines.forEach { print("  " + $0) }
        }
        guard write else { return }
        if let existing {
            printError("\(options.path) already declares \(detected.subnet) as network \(existing.name); left as it is")
            return
        }
        _ = try InventoryFileEdit(path: options.path).applyOrExit { document, _ in
            do {
                try document.appendEntry(detected.entryLines, toSection: "networks")
            } catch {
                printError("netroot: \(error)")
                throw ExitCode(1)
            }
        }
        printError("added network \(detected.name) (\(detected.subnet)) to \(options.path)")
    }

    /// The interface's first global IPv4 address and the main table's default route, over netlink.
    private func detect(on link: String) throws -> DetectedNetwork {
        let state: NetworkState
        do {
            state = try Netlink().readState()
        } catch {
            printError("netroot: cannot read the network state: \(error)")
            throw ExitCode(1)
        }
        guard state.link(link) != nil else {
            printError("netroot: no interface \(link) here")
            throw ExitCode(1)
        }
        let global: UInt8 = 0
        guard let address = state.addresses(on: link).first(where: { $0.scope == global }) else {
            printError("netroot: \(link) has no IPv4 address to detect a network from")
            throw ExitCode(1)
        }
        let gateway = state.routes.first {
            $0.prefixLength == 0 && $0.table == RouteInfo.mainTable && $0.link == link && $0.gateway != nil
        }?.gateway
        guard let network = DetectedNetwork(name: "provision", address: address.address,
                                            prefixLength: address.prefixLength, defaultGateway: gateway) else {
            printError("netroot: \(link)'s \(address.address)/\(address.prefixLength) leaves no room for nodes")
            throw ExitCode(1)
        }
        return network
    }
}
