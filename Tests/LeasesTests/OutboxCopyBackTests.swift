import DHCP
import Foundation
import Inventory
@testable import Leases
import Testing

/// Issue 26: during a long outage the outbox is bounded, and when the database returns it is copied back in
/// chunks that each fit the heartbeat's time limit, round after round, until it is empty.
@Suite struct OutboxCopyBackTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nr-outbox-\(UUID().uuidString)").path

    /// A stand-in for `netroot_commit()`: the last change per address, and the time a chunk takes (0.2 ms per
    /// change, a slow database's pace).
    final class Database {
        var rows: [IPv4Address: LeaseUpdate] = [:]
        var chunks: [Int] = []
        static let perChange: Duration = .microseconds(200)

        func commit(_ changes: [LeaseChange]) -> Duration {
            chunks.append(changes.count)
            for change in changes {
                switch change.update {
                case .bind(let lease): rows[lease.address] = change.update
                case .release(_, let address): rows[address] = change.update
                }
            }
            return Self.perChange * changes.count
        }
    }

    /// Heartbeats (one a second) until the outbox is empty, each copying one round as the store does; the rounds.
    func copyBack(_ outbox: LeaseOutbox, into database: Database, start: ContinuousClock.Instant) throws -> Int {
        var now = start
        var rounds = 0
        while !outbox.isEmpty {
            rounds += 1
            #expect(rounds < 100, "the copy-back never ends")
            if rounds >= 100 { break }
            let tick = now
            var round = OutboxCopyRound(outbox: outbox, start: tick)
            while let chunk = round.next(now: now) {
                let took = database.commit(chunk)
                // Each chunk is one transaction well within the 5 s query limit, and the round ends within it.
                #expect(took < .seconds(1))
                now += took
                round.committed()
            }
            try round.finish()
            #expect(now - tick < .seconds(5), "a round took \(now - tick)")
            now = max(now, tick + .seconds(1)) // the next heartbeat
        }
        return rounds
    }

    @Test("100,000 spoofed REQUESTs from known MACs: the outbox keeps the last of each, and the copy-back completes")
    func aFloodFromKnownMACsIsCopiedBack() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let outbox = try LeaseOutbox(directory: directory)
        // 20,000 known nodes, each asking five times, in batches as the DHCP loop commits them.
        var expected: [IPv4Address: LeaseUpdate] = [:]
        for batch in 0..<200 {
            let changes = (0..<500).map { offset -> LeaseChange in
                let request = batch * 500 + offset
                return LeaseOutboxBoundsTests.request(node: request % 20_000, at: Int64(request))
            }
            #expect(try outbox.append(changes) == 0)
            for change in changes {
                if case .bind(let lease) = change.update { expected[lease.address] = change.update }
            }
        }
        #expect(outbox.count == 20_000)
        let database = Database()
        let rounds = try copyBack(outbox, into: database, start: .now)
        #expect(outbox.isEmpty && outbox.pending.isEmpty)
        #expect(database.rows == expected, "the database ends with the last change of each node")
        #expect(database.chunks.allSatisfy { $0 <= OutboxCopyRound.chunkSize })
        #expect(database.chunks.reduce(0, +) == 20_000, "each record copied once")
        #expect(rounds >= 2, "20,000 records at 0.2 ms take more than one round of 2 s: \(rounds)")
        #expect(try LeaseOutbox(directory: directory).pending.isEmpty, "nothing left on disk")
        let mode = try FileManager.default.attributesOfItem(atPath: directory + "/leases.outbox")[.posixPermissions]
        #expect((mode as? Int ?? -1) & 0o777 == 0o600)
    }

    @Test("changes made while a chunk is in flight are kept for the next one, also for a pair in that chunk")
    func changesDuringACopyAreKept() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let outbox = try LeaseOutbox(directory: directory)
        try outbox.append((0..<10).map { LeaseOutboxBoundsTests.request(node: $0, at: 0) })
        var round = OutboxCopyRound(outbox: outbox, start: .now, chunkSize: 4)
        let next = round.next(now: .now)
        let chunk = try #require(next)
        #expect(chunk.count == 4)
        // Node 1 asks again, node 99 for the first time, while the chunk is in the database's hands.
        try outbox.append([LeaseOutboxBoundsTests.request(node: 1, at: 5), LeaseOutboxBoundsTests.request(node: 99, at: 5)])
        round.committed()
        try round.finish()
        let left = outbox.pending
        #expect(left.count == 8, "nodes 4-9, node 1's new change, node 99: \(left.count)")
        #expect(left.suffix(2) == [LeaseOutboxBoundsTests.request(node: 1, at: 5),
                                   LeaseOutboxBoundsTests.request(node: 99, at: 5)])
        #expect(try LeaseOutbox(directory: directory).pending == left)
    }

    @Test("a full outbox keeps changing the pairs it holds, drops new ones and says how many")
    func aFullOutboxDropsNewPairsOnly() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let outbox = try LeaseOutbox(directory: directory, capacity: 100)
        let first = (0..<150).map { LeaseOutboxBoundsTests.request(node: $0, at: 0) }
        #expect(try outbox.append(first) == 50)
        #expect(outbox.count == 100)
        // Nodes it holds are still recorded; a new one is not.
        #expect(try outbox.append([LeaseOutboxBoundsTests.request(node: 3, at: 9),
                                   LeaseOutboxBoundsTests.request(node: 120, at: 9)]) == 1)
        #expect(outbox.pending.last == LeaseOutboxBoundsTests.request(node: 3, at: 9))
        #expect(outbox.count == 100)
        // Once copied back, there is room again.
        try outbox.remove(first: 100)
        #expect(try outbox.append([LeaseOutboxBoundsTests.request(node: 120, at: 10)]) == 0)
    }
}
