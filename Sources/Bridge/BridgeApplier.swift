/// Makes one change happen (over netlink in the product; a fake in tests).
public protocol NetworkChanger {
    func apply(_ step: BridgeStep) throws
}

/// What happened when a plan was applied.
public struct ApplyOutcome {
    /// The steps that took effect (and, after a failure, were undone).
    public var applied: [BridgeStep] = []
    /// The step that failed and why; nil when every step took effect.
    public var failure: (step: BridgeStep, error: any Error)?
    /// Undo steps that failed too: the state may differ from the original by these.
    public var rollbackFailures: [(step: BridgeStep, error: any Error)] = []

    public var succeeded: Bool { failure == nil }
}

/// Applies a plan step by step; on the first failure, undoes the applied steps in reverse order, so the
/// network ends as it was found.
public enum BridgeApplier {
    public static func apply(_ steps: [BridgeStep], with changer: some NetworkChanger,
                             log: (String) -> Void = { _ in }) -> ApplyOutcome {
        var outcome = ApplyOutcome()
        for step in steps {
            do {
                try changer.apply(step)
                outcome.applied.append(step)
                log(step.command)
            } catch {
                outcome.failure = (step, error)
                log("failed: \(step.command): \(error)")
                for done in outcome.applied.reversed() {
                    let undo = done.inverse
                    do {
                        try changer.apply(undo)
                        log("rolled back: \(undo.command)")
                    } catch {
                        outcome.rollbackFailures.append((undo, error))
                        log("rollback failed: \(undo.command): \(error)")
                    }
                }
                return outcome
            }
        }
        return outcome
    }
}
