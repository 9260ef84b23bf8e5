/// Lets one log line through per interval and counts the ones it holds back, so a flood of the same event
/// costs a line every few seconds instead of a line per packet.
struct SparseLog {
    /// Whether to write a line now, and how many were held back since the last one.
    enum Verdict: Equatable {
        case log(suppressed: Int)
        case quiet
    }

    let interval: Duration
    private var last: ContinuousClock.Instant?
    private var suppressed = 0

    init(interval: Duration = .seconds(10)) { self.interval = interval }

    mutating func note(now: ContinuousClock.Instant) -> Verdict {
        if let last, now - last < interval {
            suppressed += 1
            return .quiet
        }
        defer { suppressed = 0 }
        last = now
        return .log(suppressed: suppressed)
    }
}
