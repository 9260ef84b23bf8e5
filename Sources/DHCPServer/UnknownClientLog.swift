import Inventory

/// Rate-limits "unknown MAC" log lines: one per MAC per interval, so a chatty stranger cannot flood the log.
struct UnknownClientLog {
    private var lastLogged: [MACAddress: Int64] = [:]
    let interval: Int64

    init(interval: Int64 = 60) { self.interval = interval }

    /// True when this MAC should be logged now.
    mutating func shouldLog(_ mac: MACAddress, now: Int64) -> Bool {
        if let last = lastLogged[mac], now - last < interval { return false }
        if lastLogged.count > 10_000 { lastLogged.removeAll(keepingCapacity: true) }
        lastLogged[mac] = now
        return true
    }
}
