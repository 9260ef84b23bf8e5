import DHCP
import Foundation
import Inventory
@testable import Leases
import Testing

/// A lease row netroot cannot read (issue 26) is skipped, counted and logged once: data is never fatal.
@Suite struct UnreadableLeaseRowTests {
    static func decode(address: String? = "10.0.0.5", mac: String? = "52:54:00:00:00:01", state: String? = "bound",
                       expires: Int64? = 1_900_000_000, hostname: String? = "", architecture: Int32? = -1,
                       grantedBy: String? = "a") -> Result<LeaseRow, UnreadableLeaseRow> {
        LeaseRow.decode(address: address, mac: mac, state: state, expires: expires, hostname: hostname,
                        architecture: architecture, grantedBy: grantedBy)
    }

    @Test func aGoodRowIsALease() throws {
        let row = try Self.decode(hostname: "n1", architecture: 7).get()
        guard case .bind(let lease) = row.update else {
            Issue.record("\(row)")
            return
        }
        #expect(lease.address == IPv4Address(0x0A00_0005) && lease.hostname == "n1" && lease.clientArchitecture == 7)
        #expect(row.grantedBy == "a")
        let released = try Self.decode(state: "released", expires: nil).get()
        #expect(released.update == .release(mac: MACAddress("52:54:00:00:00:01")!, address: IPv4Address(0x0A00_0005)))
    }

    @Test(arguments: [
        ("fd00::5", "52:54:00:00:00:01", "not an IPv4 address"),
        (nil, "52:54:00:00:00:01", "the address is NULL"),
        ("10.0.0.5", "08:00:2b:01:02:03:04:05", "not a 6-byte Ethernet address"),
        ("10.0.0.5", nil, "the MAC is NULL"),
    ] as [(String?, String?, String)])
    func anUnusableAddressOrMACIsSkippedWithWhy(address: String?, mac: String?, why: String) {
        guard case .failure(let row) = Self.decode(address: address, mac: mac) else {
            Issue.record("\(String(describing: address)) \(String(describing: mac)) was read")
            return
        }
        #expect(row.reason.contains(why), "\(row)")
        #expect(row.key == (address.map { "address \($0)" } ?? "address NULL, mac \(mac ?? "NULL")"))
    }

    @Test func nullsWhereTheCodeNeedsAValueAreSkipped() {
        for result in [Self.decode(state: nil), Self.decode(state: "offered"), Self.decode(expires: nil),
                       Self.decode(grantedBy: nil)] {
            guard case .failure = result else {
                Issue.record("read: \(result)")
                continue
            }
        }
        // NULL where netroot has a default is not a problem.
        #expect((try? Self.decode(hostname: nil, architecture: nil).get()) != nil)
    }

    @Test("each unreadable row is logged once however often it is read, counted once, and leaves when mended")
    func oneLineAndOneCountPerRow() throws {
        let log = UnreadableRows()
        let ipv6 = UnreadableLeaseRow(address: "fd00::5", mac: "52:54:00:00:00:01", reason: "not IPv4")
        let nullMAC = UnreadableLeaseRow(address: "10.0.0.9", mac: nil, reason: "the MAC is NULL")
        let good = try Self.decode().get()
        let first = log.note(LeaseRows(rows: [good], unreadable: [ipv6, nullMAC]))
        #expect(first.count == 2, "\(first)")
        #expect(first[0].contains("address fd00::5 (mac 52:54:00:00:00:01): not IPv4"), "\(first)")
        #expect(log.count == 2)
        // A heartbeat reads the same rows again (its look-back), many times: no new line, no new count.
        for _ in 0..<100 {
            #expect(log.note(LeaseRows(rows: [good], unreadable: [ipv6, nullMAC])).isEmpty)
        }
        #expect(log.count == 2)
        // 10.0.0.9 mended in the database: read well, it leaves the count.
        let mended = try Self.decode(address: "10.0.0.9").get()
        #expect(log.note(LeaseRows(rows: [mended])).isEmpty)
        #expect(log.count == 1)
    }

    @Test("a read with many new unreadable rows names a few and sums up the rest in one line")
    func manyRowsAtOnceAreSummedUp() {
        let log = UnreadableRows()
        let rows = (0..<1_000).map { UnreadableLeaseRow(address: "fd00::\($0)", mac: nil, reason: "not IPv4") }
        let lines = log.note(LeaseRows(unreadable: rows))
        #expect(lines.count == UnreadableRows.linesPerRead + 1, "\(lines.count)")
        #expect(lines.last?.contains("skipped 995 more lease row(s)") == true, "\(lines.last ?? "")")
        #expect(log.count == 1_000)
        #expect(log.note(LeaseRows(unreadable: rows)).isEmpty)
    }
}
