import Logging
import Support
import Synchronization
import Testing

/// The throttle's policy with a hand-moved clock: no logger, no sleeping.
@Suite struct LogThrottleTests {
    let clock = ManualClock()

    func throttle(limit: Int = 3, seconds: Int64 = 10, capacity: Int = 16) -> LogThrottle<String> {
        LogThrottle(.init(limit: limit, interval: .seconds(seconds), capacity: capacity), clock: clock.clock)
    }

    @Test func theFirstNPassAndTheRestAreCounted() {
        let throttle = throttle()
        let decisions = (0..<10).map { _ in throttle.admit("refused", now: clock.now) }
        #expect(decisions.prefix(3).allSatisfy { $0 == .log(suppressedBefore: 0) })
        #expect(decisions.dropFirst(3).allSatisfy { $0 == .suppress })
        // Nothing is due while the interval runs.
        clock.advance(by: .seconds(9))
        #expect(throttle.admit("refused", now: clock.now) == .suppress)
        #expect(throttle.flush(now: clock.now).isEmpty)
    }

    @Test func theCountComesWithTheFirstEventAfterTheInterval() {
        let throttle = throttle()
        for _ in 0..<100 { _ = throttle.admit("refused", now: clock.now) }
        clock.advance(by: .seconds(10))
        #expect(throttle.admit("refused", now: clock.now) == .log(suppressedBefore: 97))
        // A new interval began with that event: its own limit, its own count.
        #expect(throttle.admit("refused", now: clock.now) == .log(suppressedBefore: 0))
        #expect(throttle.admit("refused", now: clock.now) == .log(suppressedBefore: 0))
        #expect(throttle.admit("refused", now: clock.now) == .suppress)
        #expect(throttle.flush(now: clock.now).isEmpty, "the count was reported once")
    }

    @Test func aFlushReportsWhatAFloodThatStoppedHeldBack() {
        let throttle = throttle()
        for _ in 0..<50 { _ = throttle.admit("refused", now: clock.now) }
        clock.advance(by: .seconds(5))
        #expect(throttle.flush(now: clock.now).isEmpty)
        clock.advance(by: .seconds(5))
        let due = throttle.flush(now: clock.now)
        #expect(due.map(\.key) == ["refused"])
        #expect(due.map(\.count) == [47])
        #expect(throttle.flush(now: clock.now).isEmpty)
        // After the flush, the next event starts afresh with nothing to report.
        #expect(throttle.admit("refused", now: clock.now) == .log(suppressedBefore: 0))
    }

    @Test func aQuietIntervalHasNothingToReport() {
        let throttle = throttle()
        _ = throttle.admit("refused", now: clock.now)
        clock.advance(by: .seconds(60))
        #expect(throttle.flush(now: clock.now).isEmpty)
        #expect(throttle.admit("refused", now: clock.now) == .log(suppressedBefore: 0))
    }

    @Test func differentKeysAreIndependent() {
        let throttle = throttle(limit: 1)
        #expect(throttle.admit("tftp refused: file not found", now: clock.now).logs)
        #expect(!throttle.admit("tftp refused: file not found", now: clock.now).logs)
        #expect(throttle.admit("tftp refused: access violation", now: clock.now).logs)
        clock.advance(by: .seconds(3))
        // Each key's interval runs from its own first event.
        #expect(throttle.admit("tftp refused: busy", now: clock.now).logs)
        clock.advance(by: .seconds(7))
        #expect(throttle.admit("tftp refused: file not found", now: clock.now) == .log(suppressedBefore: 1))
        #expect(throttle.admit("tftp refused: busy", now: clock.now) == .suppress)
        #expect(throttle.admit("tftp refused: access violation", now: clock.now) == .log(suppressedBefore: 0))
    }

    @Test func theKeyCapEvictsTheOldestAndItsCountIsStillReported() {
        let throttle = throttle(limit: 1, capacity: 4)
        for _ in 0..<6 { _ = throttle.admit("first", now: clock.now) }  // 5 held back
        for index in 0..<4 {
            clock.advance(by: .milliseconds(100))
            _ = throttle.admit("client \(index)", now: clock.now)
            #expect(throttle.trackedKeys <= 4)
        }
        // "first" began first: it went to make room, its count is reported before its interval is over.
        #expect(throttle.flush(now: clock.now) == [.init(key: "first", count: 5, level: .notice)])
        // A key evicted is new again.
        #expect(throttle.admit("first", now: clock.now) == .log(suppressedBefore: 0))
        #expect(throttle.trackedKeys == 4)
    }

    @Test func aFloodOfNewKeysKeepsMemoryBounded() {
        let throttle = throttle(limit: 1, capacity: 64)
        for index in 0..<100_000 {
            #expect(throttle.admit("client \(index)", now: clock.now).logs)
        }
        #expect(throttle.trackedKeys == 64)
        // The newest stay.
        #expect(throttle.admit("client 99999", now: clock.now) == .suppress)
    }

    @Test func aKeyStillFloodingIsNotTheOneEvicted() {
        let throttle = throttle(limit: 1, seconds: 1, capacity: 2)
        _ = throttle.admit("a", now: clock.now)
        clock.advance(by: .milliseconds(100))
        _ = throttle.admit("b", now: clock.now)
        clock.advance(by: .seconds(1))
        // "a" restarts its interval: now "b" began first.
        #expect(throttle.admit("a", now: clock.now) == .log(suppressedBefore: 0))
        _ = throttle.admit("c", now: clock.now)
        #expect(throttle.admit("a", now: clock.now) == .suppress)
        #expect(throttle.admit("b", now: clock.now) == .log(suppressedBefore: 0))
    }

    @Test func itIsSafeFromManyThreads() async {
        let throttle = throttle(limit: 10, capacity: 8)
        let clock = clock
        let logged = await withTaskGroup(of: Int.self) { group in
            for task in 0..<8 {
                group.addTask {
                    (0..<2_000).filter { throttle.admit("key \((task + $0) % 12)", now: clock.now).logs }.count
                }
            }
            return await group.reduce(0, +)
        }
        #expect(throttle.trackedKeys <= 8)
        #expect(logged >= 12 * 10)
    }
}

/// Logging through a Logger: the lines that reach the handler.
@Suite struct LogThrottleLoggerTests {
    let clock = ManualClock()
    let lines = CapturedLines()

    var logger: Logger {
        var logger = Logger(label: "test") { _ in CapturingLogHandler(lines: lines) }
        logger.logLevel = .info
        return logger
    }

    @Test func aFloodWritesTheFirstLinesThenOneSummary() {
        let throttle = LogThrottle<String>(.init(limit: 2, interval: .seconds(10)), clock: clock.clock)
        for index in 0..<1_000 {
            throttle.log(.warning, "refused \(index)", key: "tftp refused: busy", to: logger)
        }
        #expect(lines.messages == ["refused 0", "refused 1"])
        clock.advance(by: .seconds(10))
        throttle.flush(to: logger)
        #expect(lines.messages.last == "tftp refused: busy: 998 more suppressed (at most 2 per 10 s)")
        #expect(lines.all.last?.level == .warning)
        #expect(lines.all.last?.metadata["suppressed"] == "998")
        throttle.flush(to: logger)
        #expect(lines.messages.count == 3)
    }

    @Test func theNextLineOfAnotherKeyBringsADueSummary() {
        let throttle = LogThrottle<String>(.init(limit: 1, interval: .seconds(10)), clock: clock.clock)
        throttle.log(.info, "a 1", key: "a", to: logger)
        throttle.log(.info, "a 2", key: "a", to: logger)
        clock.advance(by: .seconds(11))
        throttle.log(.notice, "b 1", key: "b", to: logger)
        #expect(lines.messages == ["a 1", "a: 1 more suppressed (at most 1 per 10 s)", "b 1"])
        #expect(lines.all[1].level == .info)
    }

    @Test func theSummaryPrecedesTheLineThatEndsTheInterval() {
        let throttle = LogThrottle<String>(.init(limit: 1, interval: .milliseconds(500)), clock: clock.clock)
        for index in 0..<4 { throttle.log(.info, "x \(index)", key: "x", to: logger) }
        clock.advance(by: .milliseconds(500))
        throttle.log(.info, "x 4", key: "x", to: logger)
        #expect(lines.messages == ["x 0", "x: 3 more suppressed (at most 1 per 500 ms)", "x 4"])
    }

    @Test func eventsBelowTheLoggersLevelAreNotCounted() {
        let throttle = LogThrottle<String>(.init(limit: 1, interval: .seconds(10)), clock: clock.clock)
        for _ in 0..<10 { throttle.log(.debug, "hidden", key: "x", to: logger) }
        throttle.log(.info, "shown", key: "x", to: logger)
        #expect(lines.messages == ["shown"])
    }
}

/// Log lines kept for assertions.
final class CapturedLines: Sendable {
    struct Line: Sendable {
        let level: Logger.Level
        let message: String
        let metadata: Logger.Metadata
    }

    private let lines = Mutex<[Line]>([])
    func append(_ line: Line) { lines.withLock { $0.append(line) } }
    var all: [Line] { lines.withLock { $0 } }
    var messages: [String] { all.map(\.message) }
}

struct CapturingLogHandler: LogHandler {
    let lines: CapturedLines
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        lines.append(.init(level: event.level, message: "\(event.message)", metadata: event.metadata ?? [:]))
    }
}
