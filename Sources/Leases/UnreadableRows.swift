import Support

/// Lease rows the shared database holds that netroot cannot read (an address that is not IPv4, a MAC that does
/// not parse, a NULL): data, never a reason to stop. Each is skipped, counted once (by its key, the address) and
/// logged once, through the one log throttle, however often a read meets it; a row read well again (mended in the
/// database) leaves the count. Pure: the store logs the lines `note` returns. Used on the store's loop only.
final class UnreadableRows: @unchecked Sendable {
    /// One line per row: again, with how often it was met, only a day later.
    static let policy = LogThrottle<String>.Policy(limit: 1, interval: .seconds(86_400), capacity: 4_096)
    /// New rows named one by one per read; the rest of that read are summed up in one line.
    static let linesPerRead = 5
    /// Distinct rows counted (beyond it the count stops growing).
    static let capacity = 65_536

    private let throttle: LogThrottle<String>
    private var keys: Set<String> = []

    init(clock: MonotonicClock = .continuous) {
        throttle = LogThrottle(Self.policy, clock: clock)
    }

    /// Distinct unreadable rows met and not read well since.
    var count: Int { keys.count }

    /// Notes what one read met; returns the lines to log (warnings).
    func note(_ read: LeaseRows) -> [String] {
        if !keys.isEmpty {
            for row in read.rows {
                switch row.update {
                case .bind(let lease): keys.remove("address \(lease.address)")
                case .release(_, let address): keys.remove("address \(address)")
                }
            }
        }
        var lines: [String] = []
        var unnamed = 0
        for row in read.unreadable {
            if keys.count < Self.capacity { keys.insert(row.key) }
            guard case .log(let before) = throttle.admit(row.key, now: throttle.clock.now()) else { continue }
            guard lines.count < Self.linesPerRead else {
                unnamed += 1
                continue
            }
            let again = before > 0 ? " (met \(before) more time(s) since it was last logged)" : ""
            lines.append("lease database: skipped a lease row netroot cannot read, \(row)\(again); it stays in the "
                         + "database, everything else is served (mend or delete the row; `netroot status` and "
                         + "netroot_lease_store_unreadable_rows count such rows)")
        }
        if unnamed > 0 {
            lines.append("lease database: skipped \(unnamed) more lease row(s) netroot cannot read, not named one by "
                         + "one (\(count) such row(s) in all)")
        }
        return lines
    }
}
