/// Whether lease journal writes succeed, and which log lines a burst of failures deserves: the first failure with
/// its reason, then at most one summary per `reportInterval`, then one line when writes work again. A full disk
/// fails every REQUEST; one line each would bury the log.
struct JournalHealth: Sendable {
    /// What to log.
    enum Report: Equatable, Sendable {
        case firstFailure(reason: String)
        case moreFailures(count: Int, seconds: Int, reason: String)
        case recovered(failures: Int, seconds: Int)
    }

    static let reportInterval: Double = 20

    private(set) var failingSince: Double?
    private(set) var lastError: String?
    private var failuresInBurst = 0
    private var unreported = 0
    private var lastReport: Double = 0

    mutating func failed(_ reason: String, at now: Double) -> Report? {
        failuresInBurst += 1
        lastError = reason
        guard failingSince != nil else {
            failingSince = now
            lastReport = now
            return .firstFailure(reason: reason)
        }
        unreported += 1
        guard now - lastReport >= Self.reportInterval else { return nil }
        defer {
            unreported = 0
            lastReport = now
        }
        return .moreFailures(count: unreported, seconds: Int(now - lastReport), reason: reason)
    }

    mutating func succeeded(at now: Double) -> Report? {
        guard let since = failingSince else { return nil }
        defer {
            failingSince = nil
            lastError = nil
            failuresInBurst = 0
            unreported = 0
        }
        return .recovered(failures: failuresInBurst, seconds: Int(now - since))
    }
}
