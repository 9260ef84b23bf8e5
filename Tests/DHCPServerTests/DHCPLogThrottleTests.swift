import BootTimeline
@testable import DHCP
@testable import DHCPServer
import Inventory
import Logging
import Support
import Synchronization
import Testing

/// The DHCP path's log lines through the one throttle, with a hand-moved clock: a flood of random MACs writes a
/// bounded log, a retrying machine a line a minute, a failing journal a line per 20 s.
@Suite struct DHCPLogThrottleTests {
    let clock = ManualClock()
    let lines = DHCPLogLines()

    func observer() -> DecisionObserver {
        var logger = Logger(label: "test") { _ in DHCPCapturingHandler(lines: lines) }
        logger.logLevel = .info
        return DecisionObserver(counters: DHCPCounters(), timeline: BootTimeline(), logger: logger, clock: clock.clock)
    }

    /// A deterministic stream of distinct locally administered MACs.
    func mac(_ index: Int) -> String {
        let bytes = [0x02, 0x42, index >> 24, index >> 16, index >> 8, index].map { UInt8(truncatingIfNeeded: $0) }
        return bytes.map { String($0, radix: 16) }.map { $0.count == 1 ? "0" + $0 : $0 }.joined(separator: ":")
    }

    static let discover = try! DiscoveryTests.pxeDiscover("02:42:00:00:00:00")

    func unknown(_ observer: DecisionObserver, _ mac: String) throws {
        var discover = Self.discover
        discover.chaddr = try #require(MACAddress(mac)).bytes + [UInt8](repeating: 0, count: 10)
        observer.decided(.silent(.init(reason: .unknownClientWithoutPool, requestType: .discover)), for: discover,
                         time: 1_800_000_000)
    }

    @Test func aFloodOfRandomMACsWritesABoundedLogAndItsCount() throws {
        let observer = observer()
        for index in 0..<10_000 {
            if index % 1_000 == 0 { clock.advance(by: .milliseconds(900)) }
            try unknown(observer, mac(index))
        }
        #expect(lines.messages.count == 10)
        #expect(lines.messages.allSatisfy { $0.hasSuffix("not answered: unknown MAC and no pool on its network") })
        clock.advance(by: .seconds(10))
        try unknown(observer, mac(-1))
        #expect(lines.messages.suffix(2) == [
            "dhcp not answered: unknown client without a pool: 9990 more suppressed (at most 10 per 10 s)",
            "DISCOVER from 02:42:ff:ff:ff:ff not answered: unknown MAC and no pool on its network",
        ])
        #expect(observer.clientThrottle.trackedKeys <= observer.clientThrottle.policy.capacity)
    }

    @Test func aMachineThatRetriesIsLoggedOnceAMinute() throws {
        let observer = observer()
        let stranger = mac(7)
        let start = clock.now
        // A PXE ROM's retries within the minute.
        for seconds in [0, 4, 12, 28, 59] {
            clock.advance(by: start + .seconds(seconds) - clock.now)
            try unknown(observer, stranger)
        }
        #expect(lines.messages.count == 1)
        clock.advance(by: start + .seconds(60) - clock.now)
        try unknown(observer, stranger)
        #expect(lines.messages.last
                    == "DISCOVER from 02:42:00:00:00:07 not answered: unknown MAC and no pool on its network (4 more from it since its last line)")
        #expect(lines.messages.count == 2)
    }

    @Test func anOfferWithoutLoaderIsAWarningOnceAMinutePerNode() throws {
        let observer = observer()
        var discover = Self.discover
        discover.options[OptionCode.clientSystemArchitecture] = [0, 11]
        let advice = BootLoaderAdvice.missingLoader(architecture: 11, httpBoot: false, boot: .pxelinux)
        let offer = Decision.Reply(message: DHCPMessage(op: .reply, xid: 1, chaddr: discover.chaddr), type: .offer,
                                   delivery: .broadcast, leaseChange: nil, requestType: .discover, node: "arm1",
                                   missingLoader: advice)
        for _ in 0..<5 {
            observer.decided(.reply(offer), for: discover, time: 1_800_000_000)
            clock.advance(by: .seconds(4))
        }
        #expect(lines.messages.count == 1)
        #expect(lines.all.first?.level == .warning)
        #expect(lines.messages.first == "arm1 was offered no boot loader: " + advice)
        clock.advance(by: .seconds(60))
        observer.decided(.reply(offer), for: discover, time: 1_800_000_100)
        #expect(lines.messages.count == 2)
    }

    @Test func aFailingJournalWritesALinePer20sAndOneWhenItRecovers() {
        let observer = observer()
        for _ in 0..<20 {
            observer.journalFailed("No space left on device", withheld: 1, time: 1_800_000_000)
            clock.advance(by: .seconds(1))
        }
        #expect(lines.messages.count == 1)
        #expect(lines.all.first?.level == .error)
        #expect(lines.messages.first?.hasPrefix("lease journal write failed, 1 ACK(s) withheld") == true)
        // 20 s after the first line: the count of those held back, then this failure's line.
        observer.journalFailed("No space left on device", withheld: 2, time: 1_800_000_020)
        #expect(lines.messages.dropFirst().first == "lease journal write failed: 19 more suppressed (at most 1 per 20 s)")
        #expect(lines.messages.count == 3)
        clock.advance(by: .seconds(5))
        observer.journalFailed("No space left on device", withheld: 1, time: 1_800_000_025)
        clock.advance(by: .seconds(4))
        observer.journalWritten(time: 1_800_000_029)
        #expect(lines.messages.suffix(2) == [
            "lease journal write failed: 1 more suppressed (at most 1 per 20 s)",
            "lease journal writable again after 22 failed write(s) in 29 s",
        ])
        #expect(lines.messages.count == 5)
    }
}

/// Log lines kept for assertions.
final class DHCPLogLines: Sendable {
    struct Line: Sendable {
        let level: Logger.Level
        let message: String
    }

    private let lines = Mutex<[Line]>([])
    func append(_ line: Line) { lines.withLock { $0.append(line) } }
    var all: [Line] { lines.withLock { $0 } }
    var messages: [String] { all.map(\.message) }
}

struct DHCPCapturingHandler: LogHandler {
    let lines: DHCPLogLines
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        lines.append(.init(level: event.level, message: "\(event.message)"))
    }
}
