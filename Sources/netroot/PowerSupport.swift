import Synchronization
import ArgumentParser
import BootTimeline
import Control
import Foundation
import Inventory
import Power
import Redfish

/// Options every power command shares: parallelism, time limits, output, the server to tell.
struct PowerOptions: ParsableArguments {
    @Flag(help: "One JSON object per node: node, mac, operation, ok, power, steps, sensors, inventory, error, seconds.")
    var json = false

    @Option(help: ArgumentHelp("BMCs talked to at once.", valueName: "N"))
    var parallel = 50

    @Option(help: ArgumentHelp("Seconds one node may take in all (retries included) before it is reported failed.",
                               valueName: "SECONDS"))
    var timeout = 20.0

    @Option(help: ArgumentHelp("Sends of each IPMI message before a BMC counts as silent (xCAT: 3).", valueName: "N"))
    var retries = 3

    @Option(help: ArgumentHelp("The running server's control socket, for the boot timeline "
                               + "(default: server.state_dir/control.sock).", valueName: "PATH"))
    var socket: String?

    func validate() throws {
        guard parallel >= 1 else { throw ValidationError("--parallel must be at least 1") }
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
        guard (1...10).contains(retries) else { throw ValidationError("--retries is 1 to 10") }
    }
}

/// Runs a power operation on the selected nodes and prints one result per node as it arrives.
struct PowerSession {
    let inventory: Inventory
    let config: ConfigOption
    let options: PowerOptions

    /// Exit 1 when any node failed; lines (or JSON) on standard output, a count of failures on standard error.
    func run(_ operation: PowerOperation, nodes expression: String, batchSize: Int = 0,
             interval: Double = 0) async throws {
        let profiles = try inventory.requireProfiles(selectedBy: expression)
        var warnings: [String] = []
        let targets = profiles.map { profile in
            PowerTarget(profile) { warning in if !warnings.contains(warning) { warnings.append(warning) } }
        }
        for warning in warnings { printError("netroot: warning: \(warning)") }
        let redfish = RedfishDriver()
        let runner = PowerRunner(
            drivers: [.ipmi: IPMIDriver(attempts: options.retries), .redfish: redfish],
            parallel: options.parallel, timeout: .milliseconds(Int(options.timeout * 1000)),
            batchSize: batchSize, interval: .milliseconds(Int(interval * 1000)))
        let socket = try? config.controlSocketPath(options.socket)
        let timelineNotice = TimelineNotice()
        let json = options.json
        let results = await runner.run(operation, on: targets) { result in
            if !json { for line in ResultText.lines(result) { print(line) } }
            if let socket, let record = Self.timelineRecord(result) {
                do {
                    try ControlClient.recordPower(record, socketPath: socket)
                } catch {
                    timelineNotice.once("netroot: note: the boot timeline was not updated (\(error))")
                }
            }
        }
        // Not awaited: a BMC stopped in the middle of a TLS handshake would hold the exit for ~30 s.
        redfish.shutdownInBackground()
        if json { printJSON(results.map(PowerResultJSON.init)) }
        let failed = results.filter { !$0.ok }.count
        if failed > 0 {
            printError("netroot: \(failed) of \(results.count) node\(results.count == 1 ? "" : "s") failed")
            throw ExitCode(1)
        }
    }

    /// Changes (and failed attempts at them) go to the timeline; reads (status, sensors, inventory) do not.
    static func timelineRecord(_ result: NodeResult) -> ControlProtocol.PowerRecord? {
        let events = result.timelineEvents()
        return events.isEmpty ? nil : ControlProtocol.PowerRecord(node: result.node, mac: result.mac, events: events)
    }
}

/// Prints a line once, however many nodes hit the same problem.
final class TimelineNotice: Sendable {
    private let printed = Mutex(false)

    func once(_ line: String) {
        let first = printed.withLock { printed in
            defer { printed = true }
            return !printed
        }
        if first { printError(line) }
    }
}

/// One node's result for scripts; keys stable, a password never present.
struct PowerResultJSON: Encodable {
    var node, mac, operation: String
    var ok: Bool
    var power: String?
    var steps: [PowerStep]
    var sensors: [SensorValue]?
    var inventory: [String: String]?
    var error: String?
    var seconds: Double

    init(_ result: NodeResult) {
        node = result.node
        mac = result.mac
        operation = result.operation.name
        ok = result.ok
        power = result.report?.powerIsOn.map { $0 ? "on" : "off" }
        steps = result.report?.steps ?? []
        if result.operation == .sensors { sensors = result.report?.sensors }
        if result.operation == .inventory {
            inventory = Dictionary(result.report?.inventory.map { ($0.key, $0.value) } ?? [],
                                   uniquingKeysWith: { first, _ in first })
        }
        error = result.error
        seconds = (result.seconds * 1000).rounded() / 1000
    }
}
