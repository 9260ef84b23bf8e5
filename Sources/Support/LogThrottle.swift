import Logging
import Synchronization

/// The appliance's one log throttle. Per key (which kind of event: "tftp refused: file not found", or a client),
/// the first `limit` events of each `interval` are logged and the rest only counted; once the interval is over,
/// the key's next event (or a `flush`) reports them as one "N more suppressed" line. The interval starts with the
/// key's first event and is measured on a monotonic clock. At most `capacity` keys are remembered: a new key
/// beyond them evicts the one whose interval began first (its count, if any, is reported at the next flush).
/// Thread-safe: it is called from event loops and transfer threads alike.
public final class LogThrottle<Key: Hashable & Sendable>: Sendable {
    /// How many lines one key may write per interval, and how many keys are remembered.
    public struct Policy: Sendable, Equatable {
        /// Events logged per key per interval (at least 1).
        public var limit: Int
        /// The window a key's count applies to, from its first event.
        public var interval: Duration
        /// The most keys remembered (at least 1).
        public var capacity: Int

        /// Defaults: 5 lines per key per 10 s, 1,024 keys.
        public init(limit: Int = 5, interval: Duration = .seconds(10), capacity: Int = 1_024) {
            self.limit = max(1, limit)
            self.interval = interval
            self.capacity = max(1, capacity)
        }
    }

    /// What to do with one event.
    public enum Decision: Sendable, Equatable {
        /// Write its line; before it, when `suppressedBefore` > 0, the line saying how many of the same key were
        /// held back in the interval that ended.
        case log(suppressedBefore: Int)
        /// Do not write it: it is counted.
        case suppress

        /// Whether the event's own line is written.
        public var logs: Bool {
            if case .log = self { return true }
            return false
        }
    }

    /// Events of one key held back and not reported yet: their interval ended, or the key was evicted.
    public struct Suppressed: Sendable, Equatable {
        /// The kind of event (or client) held back.
        public let key: Key
        /// How many of its events were held back.
        public let count: Int
        /// The level the key's lines were logged at (`.notice` when only `admit` was used).
        public let level: Logger.Level

        /// A count to report.
        public init(key: Key, count: Int, level: Logger.Level) {
            self.key = key
            self.count = count
            self.level = level
        }
    }

    /// The limit, interval and key cap it applies.
    public let policy: Policy
    /// The monotonic clock `log` and `flush(to:)` read (the pure API is handed its instants).
    public let clock: MonotonicClock
    private let state: Mutex<State>

    /// A throttle applying `policy`, reading `clock` (a `ManualClock`'s in tests).
    public init(_ policy: Policy = Policy(), clock: MonotonicClock = .continuous) {
        self.policy = policy
        self.clock = clock
        state = Mutex(State(policy: policy))
    }

    /// Decides for one event of `key` at `now` (pure policy: no logger involved).
    public func admit(_ key: Key, now: ContinuousClock.Instant) -> Decision {
        state.withLock { $0.admit(key, now: now, level: .notice) }
    }

    /// Takes the counts due for a report at `now`: keys whose interval is over with events held back, and
    /// evicted keys that had some (with `all`, every count held back, interval over or not: at a stop). Each
    /// count is returned once.
    public func flush(now: ContinuousClock.Instant, all: Bool = false) -> [Suppressed] {
        state.withLock { $0.flush(now: now, all: all) }
    }

    /// Keys remembered now (at most `policy.capacity`).
    public var trackedKeys: Int { state.withLock { $0.entries.count } }

    // MARK: logging through a Logger

    /// Logs `message` at `level` through `logger` when the policy lets this event of `key` through, after the
    /// "N more suppressed" lines that are due (this key's and, when their interval is over, other keys').
    /// An event below the logger's level is not counted.
    public func log(_ level: Logger.Level, _ message: @autoclosure () -> Logger.Message, key: Key,
                    metadata: @autoclosure () -> Logger.Metadata? = nil, to logger: Logger,
                    file: String = #fileID, function: String = #function, line: UInt = #line) {
        guard logger.logLevel <= level else { return }
        let now = clock.now()
        let (decision, due) = state.withLock { state in
            let decision = state.admit(key, now: now, level: level)
            return (decision, state.hasDue(now: now) ? state.flush(now: now) : [])
        }
        for suppressed in due { report(suppressed, to: logger, file: file, function: function, line: line) }
        guard case .log(let before) = decision else { return }
        if before > 0 {
            report(Suppressed(key: key, count: before, level: level), to: logger, file: file, function: function,
                   line: line)
        }
        logger.log(level: level, message(), metadata: metadata(), file: file, function: function, line: line)
    }

    /// Writes the "N more suppressed" lines that are due now: call it now and then (a timer, a tick) so a flood
    /// that stopped is still summed up; with `all` (at a stop), every count held back.
    public func flush(to logger: Logger, all: Bool = false, file: String = #fileID, function: String = #function,
                      line: UInt = #line) {
        let now = clock.now()
        let due = state.withLock { all || $0.hasDue(now: now) ? $0.flush(now: now, all: all) : [] }
        for suppressed in due { report(suppressed, to: logger, file: file, function: function, line: line) }
    }

    /// The text of a "N more suppressed" line.
    public func summary(_ suppressed: Suppressed) -> String {
        "\(suppressed.key): \(suppressed.count) more suppressed (at most \(policy.limit) per "
            + "\(Self.text(policy.interval)))"
    }

    private func report(_ suppressed: Suppressed, to logger: Logger, file: String, function: String, line: UInt) {
        logger.log(level: suppressed.level, "\(summary(suppressed))", metadata: ["suppressed": "\(suppressed.count)"],
                   file: file, function: function, line: line)
    }

    /// "10 s", "1.5 s", "250 ms".
    static func text(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        if attoseconds == 0 { return "\(seconds) s" }
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        if seconds == 0 { return "\(milliseconds) ms" }
        return "\(Double(milliseconds) / 1000) s"
    }

    // MARK: state

    /// One key's current interval.
    private struct Entry: Sendable {
        var start: ContinuousClock.Instant
        var logged: Int
        var suppressed: Int
        var level: Logger.Level
        /// Bumped when the interval restarts: matches the key's newest place in `State.order`.
        var generation: UInt64
    }

    private struct State: Sendable {
        let policy: Policy
        var entries: [Key: Entry] = [:]
        /// Keys by interval start, oldest first, from `head` on; a place whose generation no longer matches its
        /// entry's is stale (the key restarted its interval, or was evicted) and is skipped.
        var order: [(key: Key, generation: UInt64)] = []
        var head = 0
        var generation: UInt64 = 0
        /// The earliest end of an interval with events held back; nil when none is known.
        var nextDue: ContinuousClock.Instant?
        /// Counts of evicted keys, not reported yet (at most `capacity`; older ones are dropped).
        var evicted: [Suppressed] = []

        init(policy: Policy) { self.policy = policy }

        mutating func admit(_ key: Key, now: ContinuousClock.Instant, level: Logger.Level) -> Decision {
            if var entry = entries[key] {
                if now - entry.start < policy.interval {
                    entry.level = level
                    defer { entries[key] = entry }
                    if entry.logged < policy.limit {
                        entry.logged += 1
                        return .log(suppressedBefore: 0)
                    }
                    entry.suppressed += 1
                    if entry.suppressed == 1 { noteDue(entry.start + policy.interval) }
                    return .suppress
                }
                // Its interval is over: a new one starts with this event, which reports the old one's count.
                let before = entry.suppressed
                entries[key] = started(key, now: now, level: level)
                return .log(suppressedBefore: before)
            }
            if entries.count >= policy.capacity { evictOldest() }
            entries[key] = started(key, now: now, level: level)
            return .log(suppressedBefore: 0)
        }

        func hasDue(now: ContinuousClock.Instant) -> Bool {
            !evicted.isEmpty || nextDue.map { now >= $0 } ?? false
        }

        mutating func flush(now: ContinuousClock.Instant, all: Bool = false) -> [Suppressed] {
            var due = evicted
            evicted.removeAll()
            guard let next = nextDue, all || now >= next else { return due }
            nextDue = nil
            for (key, entry) in entries where entry.suppressed > 0 {
                let end = entry.start + policy.interval
                if all || now >= end {
                    due.append(Suppressed(key: key, count: entry.suppressed, level: entry.level))
                    entries[key]?.suppressed = 0
                } else {
                    noteDue(end)
                }
            }
            return due
        }

        private mutating func noteDue(_ end: ContinuousClock.Instant) {
            if nextDue.map({ end < $0 }) ?? true { nextDue = end }
        }

        private mutating func started(_ key: Key, now: ContinuousClock.Instant, level: Logger.Level) -> Entry {
            generation &+= 1
            order.append((key, generation))
            compactOrderIfNeeded()
            return Entry(start: now, logged: 1, suppressed: 0, level: level, generation: generation)
        }

        private mutating func evictOldest() {
            while head < order.count {
                let place = order[head]
                head += 1
                guard let entry = entries[place.key], entry.generation == place.generation else { continue }
                entries[place.key] = nil
                if entry.suppressed > 0 {
                    if evicted.count >= policy.capacity { evicted.removeFirst() }
                    evicted.append(Suppressed(key: place.key, count: entry.suppressed, level: entry.level))
                }
                return
            }
        }

        /// Keeps `order` within a few times the capacity: stale places are dropped, live ones keep their order.
        private mutating func compactOrderIfNeeded() {
            if head > 64, head * 2 > order.count {
                order.removeFirst(head)
                head = 0
            }
            guard order.count - head > 2 * policy.capacity + 64 else { return }
            order = order[head...].filter { entries[$0.key]?.generation == $0.generation
                || $0.generation == generation }
            head = 0
        }
    }
}
