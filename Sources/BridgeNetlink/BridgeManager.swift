import Bridge
import Foundation
import Support
import Inventory

/// `bridge up`, `down` and `status` against this namespace: reads the state, plans, applies with rollback,
/// and keeps the record of what `up` did in `state_dir/bridge.json`.
public struct BridgeManager {
    public let settings: BridgeSettings
    public let stateDirectory: String
    /// Containers to plumb onto the bridge.
    public var containers: [ContainerSettings] = []
    /// Tests only: make the Nth step of a plan fail, to prove the rollback.
    public var failAtStep: Int?

    public init(settings: BridgeSettings, stateDirectory: String) {
        self.settings = settings
        self.stateDirectory = stateDirectory
    }

    var recordPath: String { stateDirectory + "/bridge.json" }

    /// The result of `up` or `down`.
    public enum Result {
        case nothingToDo
        case planned([BridgeStep])
        case applied([BridgeStep])
        /// A step failed; everything before it was undone (but for `rollbackFailures`).
        case rolledBack(failed: BridgeStep, error: any Error, rollbackFailures: [(step: BridgeStep, error: any Error)])
    }

    public func up(dryRun: Bool, log: (String) -> Void = { _ in }) throws -> Result {
        let netlink = try Netlink()
        let previous = readRecord()
        let plan = try BridgePlanner.up(settings, state: try netlink.readState(), previous: previous,
                                        containers: containers).get()
        return try carryOut(plan, dryRun: dryRun, netlink: netlink, log: log) {
            if let record = plan.record { try writeRecord(record) }
        }
    }

    public func down(dryRun: Bool, log: (String) -> Void = { _ in }) throws -> Result {
        let netlink = try Netlink()
        let plan = try BridgePlanner.down(settings, state: try netlink.readState(), record: readRecord(),
                                          containers: containers).get()
        return try carryOut(plan, dryRun: dryRun, netlink: netlink, log: log) {
            try? FileManager.default.removeItem(atPath: recordPath)
        }
    }

    /// The namespace's state and what `up` would still change.
    public func status() throws -> (state: NetworkState, pending: [BridgeStep]) {
        let state = try Netlink().readState()
        let plan = try BridgePlanner.up(settings, state: state, previous: readRecord(), containers: containers).get()
        return (state, plan.steps)
    }

    private func carryOut(_ plan: BridgePlan, dryRun: Bool, netlink: Netlink, log: (String) -> Void,
                          onSuccess: () throws -> Void) throws -> Result {
        if plan.steps.isEmpty {
            if !dryRun { try onSuccess() }
            return .nothingToDo
        }
        if dryRun { return .planned(plan.steps) }
        let outcome: ApplyOutcome
        if let failAtStep {
            outcome = BridgeApplier.apply(plan.steps, with: FailingChanger(wrapped: netlink, failAt: failAtStep), log: log)
        } else {
            outcome = BridgeApplier.apply(plan.steps, with: netlink, log: log)
        }
        if let failure = outcome.failure {
            return .rolledBack(failed: failure.step, error: failure.error, rollbackFailures: outcome.rollbackFailures)
        }
        try onSuccess()
        return .applied(outcome.applied)
    }

    private func readRecord() -> BridgeRecord? {
        guard let bytes = try? PrivateFile.read(recordPath) else { return nil }
        return try? JSONDecoder().decode(BridgeRecord.self, from: Data(bytes))
    }

    private func writeRecord(_ record: BridgeRecord) throws {
        try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try PrivateFile.replace(recordPath, with: Array(encoder.encode(record)))
    }
}

/// Fails the Nth forward step (1-based) and passes every other call through, rollback included.
final class FailingChanger: NetworkChanger {
    let wrapped: any NetworkChanger
    let failAt: Int
    private var calls = 0

    init(wrapped: any NetworkChanger, failAt: Int) {
        self.wrapped = wrapped
        self.failAt = failAt
    }

    func apply(_ step: BridgeStep) throws {
        calls += 1
        if calls == failAt { throw NetlinkError("injected failure at step \(failAt)") }
        try wrapped.apply(step)
    }
}
