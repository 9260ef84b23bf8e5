import ArgumentParser
import Bridge
import BridgeNetlink
import Foundation
import Inventory

/// `netroot bridge up | down | status`: the provisioning bridge from nodes.yaml, over netlink.
struct BridgeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bridge",
        abstract: "Build, undo or inspect the bridge of nodes.yaml's bridge: section.",
        discussion: """
            up: creates (or adopts) the bridge with its forward delay and STP, gives it the uplink's MAC, moves \
            every IPv4 address and route of the uplink onto it and enslaves the uplink. A failing step undoes \
            the ones before it. down: the exact reverse (the bridge is deleted only if netroot created it). \
            status: the bridge, its ports, addresses and routes, and whether they match nodes.yaml.

            Examples:
              netroot bridge up --dry-run     print the plan as ip commands; change nothing
              netroot bridge up
              netroot bridge status
              netroot bridge down
            """
    )

    enum Action: String, ExpressibleByArgument, CaseIterable {
        case up, down, status
    }

    @Argument(help: ArgumentHelp("up, down or status.", valueName: "ACTION"))
    var action: Action

    @OptionGroup var options: ConfigOption

    @Flag(help: "Print the plan as ip commands and change nothing.")
    var dryRun = false

    @Option(help: ArgumentHelp("Make the Nth step fail (tests of the rollback).", visibility: .hidden))
    var failAtStep: Int?

    func run() throws {
        let inventory = try options.loadValidInventory()
        guard let settings = inventory.bridge else {
            printError("netroot: \(options.path) has no bridge: section")
            throw ExitCode(1)
        }
        var manager = BridgeManager(settings: settings, stateDirectory: inventory.server.stateDirectory)
        manager.failAtStep = failAtStep
        manager.containers = inventory.containers
        do {
            switch action {
            case .status:
                let (state, pending) = try manager.status()
                print(BridgeReport.status(settings, state: state, pending: pending, containers: inventory.containers),
                      terminator: "")
            case .up:
                try report(try manager.up(dryRun: dryRun) { print($0) }, what: "up", bridge: settings.name)
            case .down:
                try report(try manager.down(dryRun: dryRun) { print($0) }, what: "down", bridge: settings.name)
            }
        } catch let refusal as BridgeRefusal {
            printError("netroot: bridge \(action.rawValue): \(refusal)")
            throw ExitCode(1)
        } catch let error as NetlinkError {
            printError("netroot: bridge \(action.rawValue): \(error)")
            throw ExitCode(1)
        }
    }

    private func report(_ result: BridgeManager.Result, what: String, bridge name: String) throws {
        switch result {
        case .nothingToDo:
            print("\(name): nothing to do (already \(what == "up" ? "as nodes.yaml says" : "down"))")
        case .planned(let steps):
            print("# bridge \(what) would run (dry run, nothing changed):")
            steps.forEach { print($0.command) }
        case .applied(let steps):
            print("\(name): \(what), \(steps.count) steps applied")
        case let .rolledBack(failed, error, rollbackFailures):
            printError("netroot: bridge \(what) failed at '\(failed.command)': \(error)")
            if rollbackFailures.isEmpty {
                printError("netroot: every step before it was undone; the network is as it was")
            } else {
                for failure in rollbackFailures {
                    printError("netroot: could not undo '\(failure.step.inverse.command)': \(failure.error)")
                }
            }
            throw ExitCode(1)
        }
    }
}
