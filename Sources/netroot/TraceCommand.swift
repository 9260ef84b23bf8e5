import ArgumentParser
import Capture
import Dispatch
import Foundation
import Inventory

/// `netroot trace NODE`: a node's packets on the provisioning interface, as a pcap file.
struct TraceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Capture one node's packets (DHCP, ARP, TFTP, NFS) into a pcap file for Wireshark or tshark.",
        discussion: """
            Captures on server.interface what the node's MAC sends or receives and what goes to or from its \
            reserved address, until --duration passes or Ctrl-C. Needs CAP_NET_RAW (run as root). Start it, \
            then power the node on.

            Examples:
              netroot trace compute17 --out compute17.pcap
              netroot trace 52:54:00:12:34:56 --duration 120      (a MAC nodes.yaml does not know)
              tshark -r compute17.pcap
            """
    )

    @OptionGroup var options: ConfigOption

    @Argument(help: ArgumentHelp("A node's name, MAC or IP address, or any MAC.", valueName: "NODE"))
    var node: String

    @Option(help: ArgumentHelp("The pcap file to write (default: NODE-TIME.pcap).", valueName: "FILE"))
    var out: String?

    @Option(help: ArgumentHelp("Seconds to capture.", valueName: "S"))
    var duration: Int = 300

    func run() throws {
        let inventory = try options.loadValidInventory()
        let filter: String
        let label: String
        if let profile = inventory.profile(matching: node) {
            filter = "ether host \(profile.mac) or host \(profile.ip)"
            label = profile.name
        } else if let mac = MACAddress(node) {
            filter = "ether host \(mac)"
            label = "\(mac)".replacingOccurrences(of: ":", with: "-")
        } else {
            _ = try inventory.requireProfile(matching: node) // says "no node …" with a suggestion, exit 1
            return
        }
        let path = out ?? "\(label)-\(Int(Date().timeIntervalSince1970)).pcap"
        let capture: PacketCapture
        do {
            capture = try PacketCapture(interface: inventory.server.interface, filter: filter, direction: .both)
            try capture.record(to: path)
        } catch {
            printError("netroot: cannot capture on \(inventory.server.interface): \(error)")
            throw ExitCode(1)
        }
        let stop = SignalFlag([SIGINT, SIGTERM])
        printError("tracing \(label) on \(inventory.server.interface) (\(filter)) into \(path) for up to "
                   + "\(duration) s; Ctrl-C to stop")
        let deadline = Date().addingTimeInterval(TimeInterval(duration))
        var packets = 0
        while !stop.raised, Date() < deadline {
            do {
                if try capture.next() != nil {
                    packets += 1
                    if packets % 16 == 0 { capture.flush() }
                }
            } catch {
                printError("netroot: \(error)")
                break
            }
        }
        capture.flush()
        print("\(path): \(packets) packets")
    }
}

/// Becomes true when one of the signals arrives (their default action is replaced).
final class SignalFlag: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []
    private let lock = NSLock()
    private var value = false

    init(_ signals: [Int32]) {
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in self?.raise() }
            source.resume()
            sources.append(source)
        }
    }

    var raised: Bool { lock.withLock { value } }
    private func raise() { lock.withLock { value = true } }
}
