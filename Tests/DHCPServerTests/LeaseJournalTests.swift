import DHCP
import DHCPServer
import Foundation
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
        #expect(journal.append((1...40).map { .bind(lease($0)) }))
        for index in 41...50 { #expect(journal.append([.bind(lease(index))])) }
        #expect(journal.append([.release(mac: lease(3).mac, address: lease(3).address)]))
        #expect(journal.leases.count == 49)
        let reopened = try LeaseJournal.open(directory: directory)
        #expect(reopened.leases.count == 49)
        #expect(reopened.leases.lease(for: lease(4).mac) == lease(4))
        #expect(reopened.leases.lease(for: lease(3).mac) == nil)
        // Opening compacts: one line per lease.
        let text = try String(contentsOfFile: directory + "/leases.journal", encoding: .utf8)
        #expect(text.split(separator: "\n").count == 49)
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
