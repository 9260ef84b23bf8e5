import Logging
import Support
import Synchronization
import TFTP
import Testing
@testable import TFTPServer

/// A flood of refused requests costs a handful of log lines, not one per request, and the lines held back are
/// counted and reported (issue 25: 3,000 spoofed RRQs in 0.6 s used to write 3,000 lines).
@Suite(.serialized) struct RefusalLogTests {
    @Test func threeThousandRefusedRequestsWriteAHandfulOfLinesAndTheirCount() throws {
        let clock = ManualClock()
        let lines = TFTPLogLines()
        var logger = Logger(label: "test") { _ in TFTPCapturingHandler(lines: lines) }
        logger.logLevel = .info
        let throttle = TFTPService.makeLogThrottle(clock: clock.clock)
        let harness = try RequestHarness(logger: logger, throttle: throttle)
        try harness.write("pxelinux.0", [1, 2, 3])
        let client = try harness.client()
        let kinds: [(request: TFTPPacket, key: String, line: String)] = [
            (.readRequest(filename: "../etc/passwd", mode: "octet", options: []), "tftp refused: access violation",
             "asked for ../etc/passwd: access violation"),
            (.readRequest(filename: "missing.img", mode: "octet", options: []), "tftp refused: file not found",
             "asked for missing.img: file not found"),
            (.readRequest(filename: "pxelinux.0", mode: "mail", options: []), "tftp refused: unsupported mode",
             "refused: unsupported mode mail"),
        ]
        // 3,000 requests within one second of the throttle's clock.
        let start = clock.now
        for index in 0..<3_000 {
            if index % 10 == 0 { clock.advance(by: .milliseconds(3)) }
            harness.request(kinds[index % kinds.count].request, from: client)
        }
        #expect(clock.now - start < .seconds(1))
        let perKind = throttle.policy.limit
        #expect(lines.all.count == kinds.count * perKind, "\(lines.all.count) lines for 3,000 refusals")
        for kind in kinds {
            #expect(lines.all.filter { $0.message.contains(kind.line) }.count == perKind, "\(kind.key)")
        }
        #expect(harness.counters.snapshot.refused["access"] == 1_000)
        #expect(harness.counters.snapshot.refused["not found"] == 1_000)

        // Once the interval is over, the port 69 thread's tick reports what was held back: one line per kind.
        clock.advance(by: .seconds(10))
        harness.processor.flushLog()
        let summaries = lines.all.filter { $0.metadata["suppressed"] != nil }
        #expect(summaries.count == kinds.count)
        for kind in kinds {
            let expected = "\(kind.key): \(1_000 - perKind) more suppressed (at most \(perKind) per 10 s)"
            #expect(summaries.contains { $0.message == expected }, "no summary for \(kind.key)")
        }
        #expect(summaries.allSatisfy { $0.metadata["suppressed"] == "\(1_000 - perKind)" })
        #expect(lines.all.count == kinds.count * (perKind + 1))
        // Nothing more to say until new refusals come.
        harness.processor.flushLog()
        #expect(lines.all.count == kinds.count * (perKind + 1))
    }

    @Test func busyRefusalsAreThrottledToo() throws {
        let clock = ManualClock()
        let lines = TFTPLogLines()
        var logger = Logger(label: "test") { _ in TFTPCapturingHandler(lines: lines) }
        logger.logLevel = .info
        let throttle = TFTPService.makeLogThrottle(clock: clock.clock)
        let harness = try RequestHarness(limits: TransferLimits(total: 1, perClient: 1), logger: logger,
                                         throttle: throttle)
        try harness.write("pxelinux.0", Array(repeating: 1, count: 2000))
        let running = try harness.client()
        harness.request(.readRequest(filename: "pxelinux.0", mode: "octet", options: []), from: running)
        guard case .data? = harness.receive(on: running)?.packet else {
            Issue.record("the first transfer did not start")
            return
        }
        let others = try harness.client()
        for _ in 0..<500 { harness.request(.readRequest(filename: "pxelinux.0", mode: "octet", options: []), from: others) }
        #expect(harness.counters.snapshot.refused["busy"] == 500)
        let busy = lines.all.filter { $0.message.contains("refused: 1 transfers already run") }
        #expect(busy.count == throttle.policy.limit)
        #expect(busy.allSatisfy { $0.level == .warning })
        clock.advance(by: .seconds(10))
        harness.request(.readRequest(filename: "pxelinux.0", mode: "octet", options: []), from: others)
        #expect(lines.all.contains { $0.message == "tftp refused: busy: 495 more suppressed (at most 5 per 10 s)" })
    }
}

/// Log lines kept for assertions.
final class TFTPLogLines: Sendable {
    struct Line: Sendable {
        let level: Logger.Level
        let message: String
        let metadata: Logger.Metadata
    }

    private let lines = Mutex<[Line]>([])
    func append(_ line: Line) { lines.withLock { $0.append(line) } }
    var all: [Line] { lines.withLock { $0 } }
}

struct TFTPCapturingHandler: LogHandler {
    let lines: TFTPLogLines
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
