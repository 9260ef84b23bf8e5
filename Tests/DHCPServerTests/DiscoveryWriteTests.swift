import DHCP
@testable import DHCPServer
import Foundation
import Logging
import Synchronization
import Testing

/// A clock the test moves, and the flushes the recorder asked it to run later, run as it passes their time.
private final class ManualClock: Sendable {
    private struct State {
        var now: Double = 0
        var pending: [(at: Double, work: @Sendable () -> Void)] = []
    }

    private let state = Mutex(State())

    var now: Double { state.withLock { $0.now } }

    func schedule(after delay: Double, _ work: @escaping @Sendable () -> Void) {
        state.withLock { $0.pending.append((at: $0.now + max(0, delay), work: work)) }
    }

    /// Moves to `time`, running each scheduled work at its own time, earliest first.
    func advance(to time: Double) {
        while true {
            let next: (@Sendable () -> Void)? = state.withLock { state in
                guard let index = state.pending.indices.min(by: { state.pending[$0].at < state.pending[$1].at }),
                      state.pending[index].at <= time else { return nil }
                let due = state.pending.remove(at: index)
                state.now = max(state.now, due.at)
                return due.work
            }
            guard let next else { break }
            next()
        }
        state.withLock { $0.now = time }
    }
}

/// The files a recorder wrote: when, and which MACs with which counts.
private final class WriteLog: Sendable {
    let writes = Mutex<[(time: Double, machines: [DiscoveredMachine])]>([])
    var count: Int { writes.withLock { $0.count } }
    func times() -> [Double] { writes.withLock { $0.map(\.time) } }
    var last: [DiscoveredMachine]? { writes.withLock { $0.last?.machines } }
}

/// discovered.json is rewritten whole, with two fsyncs, each time: it is written when the set of machines changes
/// (soon), and last sightings and counts are folded into one write a minute, however hard a flood asks.
@Suite struct DiscoveryWriteTests {
    private func recorder(_ clock: ManualClock, _ log: WriteLog, capacity: Int = 4_096) -> DiscoveryRecorder {
        // The clock weakly: work left pending at the test's end holds the recorder, which must not hold the clock
        // (LeakSanitizer reported the cycle).
        DiscoveryRecorder(path: "/nonexistent/discovered.json", capacity: capacity, logger: Logger(label: "test"),
                          now: { [weak clock] in clock?.now ?? 0 },
                          schedule: { [weak clock] delay, work in clock?.schedule(after: delay, work) },
                          save: { [weak clock] machines, _ in
                              log.writes.withLock { $0.append((time: clock?.now ?? 0, machines: machines)) }
                          },
                          knownMACs: { [] })
    }

    private static func mac(_ index: Int) -> String {
        String(format: "00:25:90:%02x:%02x:%02x", (index >> 16) & 0xFF, (index >> 8) & 0xFF, index & 0xFF)
    }

    private static func sighting(_ index: Int, at time: Double) -> DiscoveredMachine {
        DiscoveredMachine(mac: mac(index), firstSeen: time, lastSeen: time, architecture: 7,
                          vendorClass: "PXEClient:Arch:00007:UNDI:003016", network: "provision")
    }

    @Test func aTenMinuteFloodFromKnownMACsIsWrittenAtMostOnceAMinute() {
        let clock = ManualClock()
        let log = WriteLog()
        let recorder = recorder(clock, log)
        // A rack of 40 machines powered on over 20 s: each new one is written soon (at most a second later).
        for index in 0..<40 {
            clock.advance(to: Double(index) * 0.5)
            recorder.record(Self.sighting(index, at: clock.now))
        }
        clock.advance(to: 21)
        #expect(log.last?.count == 40)
        let rackWrites = log.count
        #expect(rackWrites >= 20 && rackWrites <= 21)  // once a second while machines join
        // Then a flood: 100 requests a second from those 40 MACs for ten minutes (60,000 sightings).
        for tick in 0..<60_000 {
            let time = 21 + Double(tick) / 100
            clock.advance(to: time)
            recorder.record(Self.sighting(tick % 40, at: time))
        }
        clock.advance(to: 21 + 600)
        let floodWrites = log.count - rackWrites
        #expect(floodWrites >= 9 && floodWrites <= 11, "\(floodWrites) writes in ten minutes of flood")
        let times = log.times().suffix(floodWrites + 1)
        for (earlier, later) in zip(times, times.dropFirst()) { #expect(later - earlier >= 60 - 1e-9) }
        // Nothing is lost: stop writes the counts of the last minute.
        recorder.stop()
        #expect(log.last?.map(\.count).reduce(0, +) == 40 + 60_000)
    }

    @Test func aNewMachineDuringAFloodIsWrittenWithinASecond() {
        let clock = ManualClock()
        let log = WriteLog()
        let recorder = recorder(clock, log)
        recorder.record(Self.sighting(0, at: 0))
        clock.advance(to: 1)
        #expect(log.count == 1)
        for tick in 0..<3_000 {
            let time = 1 + Double(tick) / 100
            clock.advance(to: time)
            recorder.record(Self.sighting(0, at: time))
            if tick == 1_500 { recorder.record(Self.sighting(1, at: time)) }
        }
        clock.advance(to: 31)
        // The flood's updates alone would wait for the minute; the newcomer at 16 s is written by 17 s.
        let written = log.writes.withLock { $0.map { (time: $0.time, macs: $0.machines.map(\.mac)) } }
        #expect(written.count == 2)
        #expect(written.last?.macs == [Self.mac(0), Self.mac(1)])
        #expect((written.last?.time ?? 0) <= 17 + 1e-9)
    }

    @Test func aStormOfNewMACsAtCapacityIsWrittenAtMostOnceAMinute() {
        let clock = ManualClock()
        let log = WriteLog()
        let recorder = recorder(clock, log, capacity: 64)
        // 100 new MACs a second for five minutes: the book is full after 0.64 s and evicts from then on.
        for index in 0..<30_000 {
            let time = Double(index) / 100
            clock.advance(to: time)
            recorder.record(Self.sighting(index, at: time))
        }
        clock.advance(to: 300)
        #expect(log.count <= 2 + 5, "\(log.count) writes in five minutes of a storm")
        recorder.stop()
        #expect(log.last?.count ?? 0 <= 64)
        #expect(log.last?.last?.mac == Self.mac(29_999))
    }

    @Test func theVendorClassIsCappedAt128() throws {
        // Option 60 at its longest (255 bytes), 246 of them ESC: four characters each once escaped.
        let long = String(repeating: "\u{1b}", count: 246)
        let discover = try DiscoveryTests.pxeDiscover("00:25:90:00:00:01", vendorClass: "PXEClient" + long)
        let sighting = try #require(DiscoveredMachine.sighting(discover, type: .discover, knownNode: nil,
                                                               network: nil, time: 1))
        let shown = try #require(sighting.vendorClass)
        #expect(shown.unicodeScalars.count <= DiscoveredMachine.vendorClassLimit)
        #expect(shown.hasPrefix("PXEClient\\x1b") && shown.hasSuffix("…"))
        // Read back from a file written before the cap: capped too.
        var old = sighting
        old.vendorClass = "PXEClient" + String(repeating: "\\x1b", count: 60)
        let read = DiscoveryFile.decode(DiscoveryFile.encode([old]), path: "discovered.json").machines
        #expect(read.first.map { $0.vendorClass!.unicodeScalars.count <= 128 } == true)
    }
}
