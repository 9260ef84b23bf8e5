import DHCP
@testable import Leases
import Foundation
import NIOConcurrencyHelpers
import Inventory
import Testing

/// The journal on a real file system: what was committed is there after a reopen, torn lines are skipped.
@Suite struct LeaseJournalTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nr-journal-\(UUID().uuidString)").path

    func lease(_ index: Int, expires: Int64 = 1_900_000_000) -> Lease {
        Lease(mac: MACAddress(bytes: [2, 0, 0, 0, 0, UInt8(index)])!, address: IPv4Address(0x0A00_0000 + UInt32(index)),
              expires: expires, state: .bound, hostname: "n\(index)", clientArchitecture: index % 2 == 0 ? 7 : nil)
    }

    @Test func committedLeasesSurviveAReopen() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (journal, table, _) = try LeaseJournal.open(directory: directory)
        #expect(table.count == 0)
        // One batch of 40, then one at a time, as the event loop's read batches would write them.
        try journal.append((1...40).map { .bind(lease($0)) })
        for index in 41...50 { try journal.append([.bind(lease(index))]) }
        try journal.append([.release(mac: lease(3).mac, address: lease(3).address)])
        #expect(journal.leases.count == 49)
        let reopened = try LeaseJournal.open(directory: directory)
        #expect(reopened.leases.count == 49)
        #expect(reopened.leases.lease(for: lease(4).mac) == lease(4))
        #expect(reopened.leases.lease(for: lease(3).mac) == nil)
        // Opening compacts: one line per lease.
        let text = try String(contentsOfFile: directory + "/leases.journal", encoding: .utf8)
        #expect(text.split(separator: "\n").count == 49)
    }

    /// It was 0644 (world-readable MACs, addresses and hostnames) under the usual umask 022.
    @Test func theJournalIsReadableByItsOwnerOnly() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let previous = umask(0o022)
        defer { umask(previous) }
        let (journal, _, _) = try LeaseJournal.open(directory: directory)
        try journal.append([.bind(lease(1))])
        let attributes = try FileManager.default.attributesOfItem(atPath: directory + "/leases.journal")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    @Test func aTornLastLineIsSkipped() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let text = LeaseJournalFormat.line(for: .bind(lease(1))) + "bind 02:00:00:00:00:02 10.0"
        try text.write(toFile: directory + "/leases.journal", atomically: true, encoding: .utf8)
        let opened = try LeaseJournal.open(directory: directory)
        #expect(opened.leases.count == 1)
        #expect(opened.damagedLines == 1)
    }

    @Test func appendsWhileACompactionRunsAreKept() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // The background queue is held in the test's hand: the copy is written exactly when the test says.
        let jobs = NIOLockedValueBox<[@Sendable () -> Void]>([])
        let (journal, _, _) = try LeaseJournal.open(directory: directory, background: { job in
            jobs.withLockedValue { $0.append(job) }
        }, compactionThreshold: { _ in 20 })
        for index in 1...21 { try journal.append([.bind(lease(index))]) }
        #expect(journal.isCompacting)
        #expect(jobs.withLockedValue { $0.count } == 1)
        // Appended after the snapshot, before the copy is written: a renewal, a new lease, a release.
        try journal.append([.bind(lease(1, expires: 1_900_000_500)), .bind(lease(30))])
        try journal.append([.release(mac: lease(2).mac, address: lease(2).address)])
        jobs.withLockedValue { $0.removeFirst() }()
        // And after it was written, before the next append swaps it in.
        try journal.append([.bind(lease(31))])
        #expect(!journal.isCompacting)
        try journal.append([.bind(lease(32))])
        let reopened = try LeaseJournal.open(directory: directory)
        #expect(reopened.damagedLines == 0)
        #expect(reopened.leases.all == journal.leases.all)
        #expect(reopened.leases.count == 23)
        #expect(reopened.leases.lease(for: lease(1).mac)?.expires == 1_900_000_500)
        #expect(reopened.leases.lease(for: lease(2).mac) == nil)
        #expect(reopened.leases.lease(for: lease(31).mac) != nil)
    }

    @Test func compactionOnARealQueueLosesNoAppend() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (journal, _, _) = try LeaseJournal.open(directory: directory, compactionThreshold: { _ in 50 })
        for index in 0..<2_000 { try journal.append([.bind(lease(index % 250, expires: 1_900_000_000 + Int64(index)))]) }
        let reopened = try LeaseJournal.open(directory: directory)
        #expect(reopened.damagedLines == 0)
        #expect(reopened.leases.all == journal.leases.all)
        #expect(reopened.leases.count == 250)
        #expect(reopened.leases.lease(for: lease(249).mac)?.expires == 1_900_001_999)
    }

    @Test func aFailedCompactionKeepsTheOldFile() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let jobs = NIOLockedValueBox<[@Sendable () -> Void]>([])
        let (journal, _, _) = try LeaseJournal.open(directory: directory, background: { job in
            jobs.withLockedValue { $0.append(job) }
        }, compactionThreshold: { _ in 5 })
        for index in 1...6 { try journal.append([.bind(lease(index))]) }
        // The copy's place is taken by a directory: it cannot be written, and the journal goes on.
        try FileManager.default.createDirectory(atPath: directory + "/leases.journal.tmp",
                                                withIntermediateDirectories: false)
        jobs.withLockedValue { $0.removeFirst() }()
        try journal.append([.bind(lease(7))])
        #expect(!journal.isCompacting)
        try FileManager.default.removeItem(atPath: directory + "/leases.journal.tmp")
        let reopened = try LeaseJournal.open(directory: directory)
        #expect(reopened.leases.count == 7)
    }

    @Test func linesRoundTrip() {
        for update in [LeaseUpdate.bind(lease(1)), .bind(lease(2, expires: Int64.max)),
                       .release(mac: lease(5).mac, address: lease(5).address)] {
            let line = LeaseJournalFormat.line(for: update)
            #expect(line.hasSuffix("\n"))
            #expect(LeaseJournalFormat.update(from: Substring(line.dropLast())) == update)
        }
        #expect(LeaseJournalFormat.update(from: "bind nonsense") == nil)
    }
}
