import ArgumentParser
import BootTimeline
import Control
import Foundation
import Inventory
import Leases
import Values

/// `netroot status [NODE]`: what the running server saw of each node's boot, through its control socket.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show how far each node's boot got (or one node's boot timeline), from the running server.",
        discussion: """
            Asks `netroot serve` over its control socket, server.state_dir/control.sock. Timelines are kept in \
            memory since the server started: DHCP exchanges (firmware and initramfs) and TFTP files with size, \
            duration and outcome. Clients the inventory does not know are listed by MAC.

            Examples:
              netroot status                  one line per client: last step, when, boot time so far
              netroot status compute1         the node's timeline (name, MAC or IP)
            """
    )

    @OptionGroup var options: ConfigOption

    @Argument(help: ArgumentHelp("A node's name, MAC or IP address.", valueName: "NODE"))
    var node: String?

    @Option(help: ArgumentHelp("The control socket (default: server.state_dir/control.sock).", valueName: "PATH"))
    var socket: String?

    @Flag(help: "Print the server's reply as JSON.")
    var json = false

    /// `lease store: postgresql postgresql://…, up; appliances: a (this), b (alive)`, or why it is down.
    static func describe(_ store: LeaseStoreHealth, now: Double) -> String {
        var line = "lease store: \(store.backend) \(store.location), "
        let since = store.since.map { " for \(Int(max(0, now - $0))) s" } ?? ""
        if store.up {
            line += "up" + since
        } else {
            line += "DOWN\(since): \(store.error ?? "unreachable"); known nodes are answered, pool clients are not"
        }
        if store.waiting > 0 { line += "; \(store.waiting) record(s) wait in the local journal for the database" }
        if let dropped = store.droppedRecords, dropped > 0 {
            line += "; \(dropped) record(s) not kept: the local journal was full"
        }
        if let unreadable = store.unreadableRows, unreadable > 0 {
            line += "; \(unreadable) lease row(s) in the database netroot cannot read, skipped (see the log)"
        }
        if !store.appliances.isEmpty {
            let names = store.appliances.map { appliance in
                appliance.name + (appliance.this ? " (this)" : appliance.alive ? " (alive)"
                    : " (silent \(Int(appliance.heartbeatAge)) s; its share is answered by the others)")
            }
            line += "; appliances: " + names.joined(separator: ", ")
        }
        return line
    }

    func run() throws {
        let reply: ControlProtocol.StatusReply
        do {
            reply = try ControlClient.status(socketPath: try options.controlSocketPath(socket), node: node)
        } catch let failure as ControlClient.Failure {
            printError("netroot: \(failure)")
            throw ExitCode(1)
        }
        if json {
            printJSON(reply)
            return
        }
        if let error = reply.error {
            printError(Terminal.safe("netroot: \(error)"))
            throw ExitCode(1)
        }
        if node != nil, let timeline = reply.clients.first {
            print(TimelineReport.timeline(timeline), terminator: "")
        } else {
            print(TimelineReport.table(reply.clients, now: reply.now), terminator: "")
        }
        // The lines below quote a database's and other DHCP servers' words: control characters escaped.
        if let store = reply.leaseStore, store.backend != "journal" {
            print(Terminal.safe(Self.describe(store, now: reply.now)))
        }
        if let journal = reply.leaseJournal {
            let since = Date(timeIntervalSince1970: journal.since)
            print(Terminal.safe("WARNING: lease journal: writes failing since \(since) (\(Int(reply.now - journal.since)) s ago), "
                  + "no lease is acknowledged until they succeed: \(journal.error) "
                  + "(\(journal.failedWrites) failed writes since start)"))
        }
        for rogue in reply.rogueServers {
            print(Terminal.safe("WARNING: another DHCP server answers on this network: \(rogue.ip) (\(rogue.mac)), "
                  + "\(rogue.replies) replies, last \(rogue.lastReply)"))
        }
    }
}
