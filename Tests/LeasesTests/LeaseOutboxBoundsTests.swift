import DHCP
import Foundation
import Inventory
@testable import Leases
import Testing

/// A long outage (issue 26): the outbox keeps one change per MAC and address, however often a node asks, and
/// stays 0600 when it is rewritten.
@Suite struct LeaseOutboxBoundsTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nr-outbox-\(UUID().uuidString)").path

    /// Known node `index`'s binding as one of its (spoofed) REQUESTs makes it: its reserved address, a new expiry.
    static func request(node index: Int, at second: Int64) -> LeaseChange {
        let mac = MACAddress(bytes: [0x52, 0x54, 0, 0, UInt8(index >> 8), UInt8(index & 0xFF)])!
        let lease = Lease(mac: mac, address: IPv4Address(0x0A00_0000 + UInt32(index)), expires: 1_900_000_000 + second,
                          state: .bound, hostname: "node\(index)")
        return LeaseChange(.bind(lease), node: "node\(index)")
    }

    func lineCount() throws -> Int {
        let text = try String(contentsOfFile: directory + "/leases.outbox", encoding: .utf8)
        return text.split(separator: "\n").count
    }

    @Test("100,000 REQUESTs from 50 known MACs during an outage leave 50 records, the last of each, on disk too")
    func aFloodOfKnownNodesKeepsTheLastChangeOfEach() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let outbox = try LeaseOutbox(directory: directory)
        // As the DHCP loop commits them: one batch (one fdatasync) per read of 500 requests.
        for batch in 0..<200 {
            let changes = (0..<500).map { offset in
                let request = batch * 500 + offset
                return Self.request(node: request % 50, at: Int64(request))
            }
            try outbox.append(changes)
        }
        #expect(outbox.pending.count == 50)
        #expect(outbox.pending.last == Self.request(node: 49, at: 99_999))
        #expect(outbox.pending.contains(Self.request(node: 0, at: 99_950)))
        // Superseded lines are shed from the file as well: far from 100,000.
        let lines = try lineCount()
        #expect(lines <= 2 * 50 + 1_024 + 500, "lines on disk: \(lines)")
        let reopened = try LeaseOutbox(directory: directory)
        #expect(reopened.pending == outbox.pending)
    }

    @Test("a release after a binding of the same MAC and address supersedes it")
    func aReleaseSupersedesTheBindingOfItsPair() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let outbox = try LeaseOutbox(directory: directory)
        let bind = Self.request(node: 1, at: 0)
        let other = Self.request(node: 2, at: 0)
        let release = LeaseChange(.release(mac: MACAddress(bytes: [0x52, 0x54, 0, 0, 0, 1])!,
                                           address: IPv4Address(0x0A00_0001)))
        try outbox.append([bind, other])
        try outbox.append([release])
        #expect(outbox.pending == [other, release])
        #expect(try LeaseOutbox(directory: directory).pending == [other, release])
    }

    @Test("the outbox file is 0600 when created and still 0600 after a copy-back rewrote it")
    func theFileStaysPrivateAfterACopyBack() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let previous = umask(0o022)
        defer { umask(previous) }
        let outbox = try LeaseOutbox(directory: directory)
        try outbox.append([Self.request(node: 1, at: 0), Self.request(node: 2, at: 0)])
        func mode() throws -> Int {
            let attributes = try FileManager.default.attributesOfItem(atPath: directory + "/leases.outbox")
            return (attributes[.posixPermissions] as? Int ?? -1) & 0o777
        }
        #expect(try mode() == 0o600)
        try outbox.remove(first: 1)
        let after = try mode()
        #expect(after == 0o600, "after a copy-back: \(String(after, radix: 8))")
        #expect(outbox.pending == [Self.request(node: 2, at: 0)])
    }
}
