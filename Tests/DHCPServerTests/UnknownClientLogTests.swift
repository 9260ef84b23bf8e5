@testable import DHCPServer
import Inventory
import Testing

/// The unknown-client log limit with an injected clock: a flood of random MACs writes a bounded number of lines.
@Suite struct UnknownClientLogTests {
    /// A deterministic stream of distinct locally administered MACs.
    func mac(_ index: Int) -> MACAddress {
        MACAddress(bytes: [0x02, 0x42, UInt8(truncatingIfNeeded: index >> 24), UInt8(truncatingIfNeeded: index >> 16),
                           UInt8(truncatingIfNeeded: index >> 8), UInt8(truncatingIfNeeded: index)])!
    }

    /// Feeds `count` new MACs spread evenly over `seconds` from `start`; returns the lines written.
    func flood(_ log: inout UnknownClientLog, count: Int, seconds: Int, start: Int64 = 1_000) -> (lines: Int, summaries: [String]) {
        var lines = 0, summaries: [String] = []
        for index in 0..<count {
            let verdict = log.shouldLog(mac(index), now: start + Int64(index * seconds / count))
            if verdict.log { lines += 1 }
            if let summary = verdict.summary { summaries.append(summary) }
        }
        return (lines, summaries)
    }

    @Test func aFloodOfRandomMACsLogsABoundedNumberOfLines() {
        var log = UnknownClientLog()
        // 100,000 MACs in 10 s, the clock in whole seconds as the handler passes it.
        let (lines, summaries) = flood(&log, count: 100_000, seconds: 10)
        #expect(lines + summaries.count <= 11)
        // The first stranger after the window hears how many were held back.
        #expect(log.shouldLog(mac(-1), now: 1_010) ==
                .init(log: true, summary: "99990 more unknown-client lines suppressed in the last 10 s"))
        #expect(log.rememberedMACs <= 11)
    }

    @Test func aLongFloodWritesOneWindowsWorthAndOneSummaryPerWindow() {
        var log = UnknownClientLog()
        let (lines, summaries) = flood(&log, count: 100_000, seconds: 100)
        #expect(lines == 100)
        #expect(summaries.count == 9)
        #expect(summaries.allSatisfy { $0 == "9990 more unknown-client lines suppressed in the last 10 s" })
    }

    @Test func oneMACIsLoggedOnceAMinuteAndQuietWindowsHaveNoSummary() {
        var log = UnknownClientLog()
        let stranger = mac(7)
        #expect(log.shouldLog(stranger, now: 0) == .init(log: true, summary: nil))
        #expect(log.shouldLog(stranger, now: 30) == .init(log: false, summary: nil))
        #expect(log.shouldLog(stranger, now: 59) == .init(log: false, summary: nil))
        #expect(log.shouldLog(stranger, now: 60) == .init(log: true, summary: nil))
    }

    @Test func theRememberedMACsStayWithinTheCapacity() {
        // A generous line limit, so every MAC is logged and remembered.
        var log = UnknownClientLog(perMAC: 60, window: 1, linesPerWindow: 1_000, capacity: 64)
        for index in 0..<10_000 {
            #expect(log.shouldLog(mac(index), now: Int64(index / 500)).log)
            #expect(log.rememberedMACs <= 64)
        }
    }
}
