import DHCP
import Foundation
import Inventory
@testable import Leases
import Testing

/// Known nodes' changes kept on disk while the database is away: they survive a restart, whole lines only.
@Suite struct LeaseOutboxTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nr-outbox-\(UUID().uuidString)").path

    func change(_ index: Int) -> LeaseChange {
        let lease = Lease(mac: MACAddress(bytes: [2, 0, 0, 0, 0, UInt8(index)])!,
                          address: IPv4Address(0x0A00_0000 + UInt32(index)), expires: 1_900_000_000, state: .bound,
                          hostname: "n\(index)")
        return LeaseChange(.bind(lease), node: "n\(index)")
    }

    @Test func changesSurviveAReopenAndLeaveOnceCopied() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let outbox = try LeaseOutbox(directory: directory)
            try outbox.append([change(1), change(2)])
            try outbox.append([LeaseChange(.release(mac: change(1).mac, address: IPv4Address(0x0A00_0001)))])
        }
        // The release supersedes the binding of the same MAC and address (issue 26: the last change per pair).
        let reopened = try LeaseOutbox(directory: directory)
        #expect(reopened.pending.count == 2)
        #expect(reopened.pending[0] == change(2))
        #expect(reopened.pending[1].node == nil)
        try reopened.remove(first: 1)
        try reopened.append([change(3)])
        let again = try LeaseOutbox(directory: directory)
        #expect(again.pending.map(\.node) == [nil, "n3"])
    }

    @Test func aTornLastLineIsNotReplayed() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let whole = LeaseOutbox.line(for: change(1))
        let torn = String(LeaseOutbox.line(for: change(2)).dropLast(8))
        FileManager.default.createFile(atPath: directory + "/leases.outbox", contents: Data((whole + torn).utf8))
        let outbox = try LeaseOutbox(directory: directory)
        #expect(outbox.pending == [change(1)])
        try outbox.append([change(3)])
        #expect(try LeaseOutbox(directory: directory).pending == [change(1), change(3)])
    }
}

extension LeaseChange {
    var mac: MACAddress {
        switch update {
        case .bind(let lease): lease.mac
        case .release(let mac, _): mac
        }
    }
}
