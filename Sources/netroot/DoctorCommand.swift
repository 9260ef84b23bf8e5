import ArgumentParser
import Control
import Diagnostics
import Foundation
import Inventory

/// `netroot doctor NODE`: why a node did not boot, in plain words.
struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Explain a node's last boot attempt from what the running server saw.",
        discussion: """
            Reads the node's boot timeline and the other DHCP servers seen on the wire from `netroot serve` (its \
            control socket) and says where the boot stopped and what to check. NODE may be a MAC the inventory \
            does not know. Exit status 0 when the last boot reached the initramfs, 1 otherwise.

            Examples:
              netroot doctor compute17
              netroot doctor 52:54:00:12:34:56
            """
    )

    @OptionGroup var options: ConfigOption

    @Argument(help: ArgumentHelp("A node's name, MAC or IP address.", valueName: "NODE"))
    var node: String

    @Option(help: ArgumentHelp("The control socket (default: server.state_dir/control.sock).", valueName: "PATH"))
    var socket: String?

    func run() throws {
        let inventory = InventoryLoader.load(path: options.path).inventory
        let profile = inventory?.profile(matching: node)
        let reply: ControlProtocol.StatusReply
        do {
            reply = try ControlClient.status(socketPath: try options.controlSocketPath(socket),
                                             node: profile.map { "\($0.mac)" } ?? node)
        } catch let failure as ControlClient.Failure {
            printError("netroot: \(failure)")
            throw ExitCode(1)
        }
        let subject = BootDoctor.Subject(query: node, profile: profile,
                                         closestNode: profile == nil ? inventory?.nodeName(closestTo: node) : nil)
        let findings = BootDoctor.diagnose(subject, timeline: reply.clients.first, rogues: reply.rogueServers,
                                           now: reply.now, serverStarted: reply.startedAt)
        print("\(profile?.name ?? node):")
        findings.forEach { print("  " + $0) }
        if !(findings.first?.hasPrefix("booted") ?? false) { throw ExitCode(1) }
    }
}
