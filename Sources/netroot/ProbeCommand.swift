import ArgumentParser
import Diagnostics
import Foundation
import Inventory
import NetworkSupport
import RogueWatch

/// `netroot probe`: one round of the active rogue-DHCP probe on server.interface.
struct ProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Find other DHCP servers on server.interface: broadcast a DISCOVER and list who offers.",
        discussion: """
            Sends one DHCPDISCOVER with the broadcast flag set from netroot's probe MAC (a locally administered \
            address derived from the interface's), listens --wait seconds and lists every server that offers \
            an address; netroot's own offers are shown but are not rogue. Never sends a REQUEST, so no server \
            binds a lease. `netroot serve` runs the same probe at start and every server.rogue_probe_interval. \
            Needs CAP_NET_RAW (run as root).

            Exit status: 0 when no other server answered, 1 when one did, 2 when the probe could not run.

            Examples:
              netroot probe                   the DHCP servers that answer on server.interface
              netroot probe --wait 10 --json  listen longer; JSON for scripts
            """
    )

    @OptionGroup var options: ConfigOption

    @Option(help: ArgumentHelp("Seconds to listen for offers.", valueName: "S"))
    var wait: Double = RogueProbeRound.defaultWait

    @Flag(help: "Print the servers found as JSON.")
    var json = false

    /// One answering server, as `--json` prints it.
    struct Answer: Encodable {
        var server: String
        var mac: String?
        var offered: String
        var rogue: Bool
    }

    /// What `--json` prints.
    struct Report: Encodable {
        var interface: String
        var probeMAC: String
        var servers: [Answer]
    }

    func validate() throws {
        guard wait > 0, wait <= 600 else { throw ValidationError("--wait must be between 0 and 600 seconds") }
    }

    func run() throws {
        let inventory = try options.loadValidInventory()
        let name = inventory.server.interface
        let verdicts: [RogueProbe.Verdict]
        let interface: InterfaceInfo
        do {
            interface = try InterfaceInfo.lookup(name)
            let ours = Set(interface.addresses + (inventory.server.address.map { [$0] } ?? []))
            verdicts = try RogueProbeRound.run(interface: name, interfaceMAC: interface.mac, ours: ours, wait: wait)
        } catch {
            printError("netroot: cannot probe on \(name): \(error)")
            throw ExitCode(2)
        }
        let answers = verdicts.map { verdict in
            switch verdict {
            case let .ours(server, offered):
                Answer(server: "\(server)", mac: nil, offered: "\(offered)", rogue: false)
            case .rogue(let sighting):
                Answer(server: "\(sighting.serverIP)", mac: "\(sighting.serverMAC)", offered: "\(sighting.offered)",
                       rogue: true)
            }
        }
        let probeMAC = RogueProbe.mac(for: interface.mac)
        if json {
            printJSON(Report(interface: name, probeMAC: "\(probeMAC)", servers: answers))
        } else {
            for answer in answers {
                if answer.rogue {
                    print("rogue DHCP server \(answer.server) (\(answer.mac ?? "")) offered \(answer.offered) to probe")
                } else {
                    print("netroot's own server \(answer.server) offered \(answer.offered) to probe (not a rogue)")
                }
            }
            let rogues = answers.filter(\.rogue).count
            print("\(name): \(rogues == 0 ? "no other DHCP server" : "\(rogues) other DHCP server\(rogues == 1 ? "" : "s")") "
                  + "answered netroot's probe (\(probeMAC)) within \(formatted(wait)) s")
        }
        if answers.contains(where: \.rogue) { throw ExitCode(1) }
    }

    private func formatted(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? "\(Int(seconds))" : "\(seconds)"
    }
}
