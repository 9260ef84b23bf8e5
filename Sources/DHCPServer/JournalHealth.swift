/// Whether lease store writes succeed: since when they fail (wall time, shown by `status`), why, how many failed,
/// and how long the spell lasted (monotonic). A full disk fails every REQUEST: the log lines are throttled by
/// the observer (`LogThrottle`), this only says when a spell begins and ends.
struct JournalHealth: Sendable {
    /// The end of a failing spell.
    struct Recovery: Equatable, Sendable {
        let failures: Int
        let seconds: Int
    }

    /// Unix seconds of the spell's first failure, nil while writes succeed.
    private(set) var failingSince: Double?
    private(set) var lastError: String?
    private var began: ContinuousClock.Instant?
    private var failuresInSpell = 0

    /// Records a failure; true when it begins a spell.
    @discardableResult
    mutating func failed(_ reason: String, at time: Double, now: ContinuousClock.Instant) -> Bool {
        failuresInSpell += 1
        lastError = reason
        guard failingSince == nil else { return false }
        failingSince = time
        began = now
        return true
    }

    /// Records a success; the spell it ends, if writes were failing.
    mutating func succeeded(now: ContinuousClock.Instant) -> Recovery? {
        guard failingSince != nil else { return nil }
        defer {
            failingSince = nil
            lastError = nil
            began = nil
            failuresInSpell = 0
        }
        let lasted = began.map { now - $0 } ?? .zero
        return Recovery(failures: failuresInSpell, seconds: Int(lasted.components.seconds))
    }
}
