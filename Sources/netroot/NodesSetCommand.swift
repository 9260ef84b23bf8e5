import ArgumentParser
import Foundation
import Inventory

/// `netroot nodes set NODES key=value...`: change nodes without an editor (xCAT's chdef).
struct SetNodes: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Change keys of nodes in nodes.yaml (the file's comments and layout are kept).",
        discussion: """
            KEY is a node key (mac, ip, groups, hostname, image, root_path, cmdline) or a BMC key written dotted: \
            bmc.address, bmc.port, bmc.protocol, bmc.username, bmc.password_file, bmc.system, bmc.tls_ca, \
            bmc.insecure. groups takes a comma-separated list; ip=auto the next free address; an empty value \
            (image=) removes the key, so the group's value applies again. Relative paths are taken from the \
            current directory. bmc.password is refused: a password on a command line is visible in ps; use \
            bmc.password_file. The whole file is validated before it is written (a refused edit writes nothing).

            Examples:
              netroot nodes set compute1 bmc.address=10.1.1.1
              netroot nodes set @compute bmc.username=ADMIN bmc.password_file=/etc/netroot/bmc-compute
              netroot nodes set 'compute[01-04]' groups=compute,gpu image=
            """
    )

    @Argument(help: ArgumentHelp("Which nodes: names, @group, ranges like compute[01-64], comma-separated.",
                                 valueName: "NODES"))
    var nodes: String

    @Argument(help: ArgumentHelp("The changes.", valueName: "KEY=VALUE"))
    var assignments: [String] = []

    @OptionGroup var options: ConfigOption

    @Flag(help: "Print the changed nodes' effective settings as JSON.")
    var json = false

    /// A parsed `key=value`; nil value removes the key.
    struct Assignment {
        var key: String
        var value: String?
    }

    func validate() throws {
        guard !assignments.isEmpty else { throw ValidationError("give at least one KEY=VALUE") }
        _ = try parsedAssignments()
    }

    func parsedAssignments() throws -> [Assignment] {
        try assignments.map { text in
            guard let equals = text.firstIndex(of: "=") else {
                throw ValidationError("'\(text)' is not KEY=VALUE")
            }
            let key = String(text[..<equals])
            let value = String(text[text.index(after: equals)...])
            if key == "bmc.password" {
                throw ValidationError("bmc.password is not taken on the command line (ps shows it to every user); "
                                          + "write it to a file (chmod 600) and set bmc.password_file=FILE")
            }
            guard NodeKeys.all.contains(key) else {
                throw ValidationError("unknown key '\(key)'" + Suggestion.hint(for: key, among: NodeKeys.all)
                                          + "; keys: " + NodeKeys.all.filter { $0 != "bmc.password" }.joined(separator: ", "))
            }
            guard ConfigLineValue(value) != nil else {
                throw ValidationError("the value of \(key) holds a control character; values are one line")
            }
            return Assignment(key: key, value: value.isEmpty ? nil : value)
        }
    }

    func run() throws {
        let changes = try parsedAssignments()
        var selected: [String] = []
        var lines: [String] = []
        let edited = try InventoryFileEdit(path: options.path).applyOrExit { document, inventory in
            selected = try inventory.requireProfiles(selectedBy: nodes).map(\.name)
            var taken = inventory.takenAddresses
            if changes.contains(where: { $0.key == "ip" && $0.value == "auto" }) {
                taken.formUnion(serverAddresses(inventory))
            }
            for node in selected {
                for change in changes {
                    var value = change.value.map { value -> EditValue in
                        if NodeKeys.lists.contains(change.key) {
                            return .list(value.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) })
                        }
                        return .text(NodeKeys.paths.contains(change.key) ? absolutePath(value) : value)
                    }
                    if change.key == "ip", change.value == "auto" {
                        let address = try nextFree(for: node, inventory: inventory, taken: taken)
                        taken.insert(address)
                        value = .text("\(address)")
                    }
                    do {
                        try document.set(["nodes", node] + change.key.split(separator: ".").map(String.init), to: value)
                    } catch {
                        printError("netroot: node \(node): \(error)")
                        throw ExitCode(1)
                    }
                    lines.append("\(node): " + describe(change.key, value))
                }
            }
        }
        if json {
            printJSON(selected.compactMap { edited.profile(named: $0) }.map(NodeJSON.init))
        } else {
            lines.forEach { print($0) }
        }
    }

    /// `ip=auto` for a node: the next free address of the network the node is in now.
    private func nextFree(for node: String, inventory: Inventory, taken: Set<IPv4Address>) throws -> IPv4Address {
        guard let profile = inventory.profile(named: node),
              let address = AddressAllocator.nextFree(in: profile.network, server: inventory.server.address,
                                                      taken: taken) else {
            printError("netroot: node \(node): no free address left in its network")
            throw ExitCode(1)
        }
        return address
    }

    private func describe(_ key: String, _ value: EditValue?) -> String {
        switch value {
        case nil: "\(key) removed"
        case .text(let text): "\(key) = \(text)"
        case .list(let items): "\(key) = [\(items.joined(separator: ", "))]"
        }
    }
}
