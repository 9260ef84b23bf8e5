import Inventory

/// Rate-limits "not answered" log lines about unknown clients: once per MAC per `perMAC` seconds, and at most
/// `linesPerWindow` lines per `window` seconds in all, so a flood of random MACs writes a bounded log. What the
/// global limit held back is summed up in one line with the first event after its window.
struct UnknownClientLog {
    /// Whether this event's line is written, and a summary line to write before it.
    struct Verdict: Equatable {
        let log: Bool
        /// "N more unknown-client lines suppressed in the last S s", when the window that just ended held some back.
        let summary: String?
    }

    let perMAC: Int64
    let window: Int64
    let linesPerWindow: Int
    /// The most MACs remembered; past it the oldest half is forgotten (a forgotten MAC may be logged again).
    let capacity: Int
    private var lastLogged: [MACAddress: Int64] = [:]
    private var windowStart: Int64?
    private var loggedInWindow = 0
    private var suppressedInWindow = 0

    /// Defaults: a MAC once a minute, 10 lines per 10 s in all, 4,096 MACs remembered.
    init(perMAC: Int64 = 60, window: Int64 = 10, linesPerWindow: Int = 10, capacity: Int = 4_096) {
        self.perMAC = perMAC
        self.window = window
        self.linesPerWindow = linesPerWindow
        self.capacity = capacity
    }

    /// How many MACs it remembers now (bounded by `capacity`).
    var rememberedMACs: Int { lastLogged.count }

    /// Decides for one unknown-client event at `now` (seconds).
    mutating func shouldLog(_ mac: MACAddress, now: Int64) -> Verdict {
        var summary: String?
        // A new window: the first event, or the first after the current one ended.
        if windowStart.map({ now - $0 >= window }) ?? true {
            if let start = windowStart, suppressedInWindow > 0 {
                summary = "\(suppressedInWindow) more unknown-client lines suppressed in the last \(now - start) s"
            }
            (windowStart, loggedInWindow, suppressedInWindow) = (now, 0, 0)
        }
        // Only MACs actually logged are remembered: a flood of strangers is not stored.
        if let last = lastLogged[mac], now - last < perMAC { return Verdict(log: false, summary: summary) }
        guard loggedInWindow < linesPerWindow else {
            suppressedInWindow += 1
            return Verdict(log: false, summary: summary)
        }
        loggedInWindow += 1
        if lastLogged.count >= capacity { forget(now: now) }
        lastLogged[mac] = now
        return Verdict(log: true, summary: summary)
    }

    /// Drops MACs whose minute is over; if all are recent, the older half.
    private mutating func forget(now: Int64) {
        lastLogged = lastLogged.filter { now - $0.value < perMAC }
        guard lastLogged.count >= capacity else { return }
        let newest = lastLogged.sorted { $0.value > $1.value }.prefix(capacity / 2)
        lastLogged = Dictionary(uniqueKeysWithValues: newest.map { ($0.key, $0.value) })
    }
}
