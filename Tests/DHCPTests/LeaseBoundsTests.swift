import DHCP
import Foundation
import Inventory
import Testing

/// Memory follows the number of addresses, not the number of MACs ever seen: floods of random MACs and spoofed
/// DECLINEs leave the lease table and the quarantine bounded.
@Suite struct LeaseBoundsTests {
    /// The test inventory with a pool of 100 addresses (and its three reservations).
    let responder: Responder
    let pool = IPv4Range("192.168.1.100-192.168.1.199")!

    init() throws {
        let yaml = testInventoryYAML.replacingOccurrences(of: "pool: 192.168.1.100-192.168.1.102",
                                                          with: "pool: 192.168.1.100-192.168.1.199")
        responder = Responder(inventory: try testInventory(yaml))
    }

    @Test func aFloodOfRandomMACsKeepsOneEntryPerAddress() {
        var leases = LeaseTable()
        var random = SplitMix(seed: 15)
        var now = startTime
        var offered = 0
        for index in 0..<100_000 {
            // 100 DISCOVERs a second: the pool is gone within a second, and every offer hold expires after 60 s.
            if index % 100 == 0 { now += 1 }
            let decision = responder.respond(to: clientMessage(.discover, mac: random.mac()),
                                             context: RequestContext(serverAddress: serverAddress, now: now),
                                             leases: &leases)
            if decision.reply != nil { offered += 1 }
        }
        #expect(offered > 100, "expired holds are offered again")
        #expect(leases.count <= pool.count, "\(leases.count) entries for \(pool.count) addresses")
        leases.prune(now: now + responder.offerHold + 1)
        #expect(leases.count == 0, "expired offer holds are pruned")
    }

    @Test func spoofedDeclinesDoNotGrowTheQuarantine() {
        var leases = LeaseTable()
        var random = SplitMix(seed: 16)
        for _ in 0..<10_000 {
            let address = IPv4Address(UInt32(truncatingIfNeeded: random.next()))
            _ = responder.respond(to: clientMessage(.decline, mac: random.mac()) {
                $0.options.serverIdentifier = serverAddress
                $0.options.requestedIPAddress = address
            }, context: RequestContext(serverAddress: serverAddress, now: startTime), leases: &leases)
        }
        // Only addresses we could hand out are worth keeping out of the pool.
        #expect(leases.quarantinedCount <= pool.count)
        #expect(leases.count == 0)
    }

    @Test func declinesInsideThePoolAreQuarantinedThenPruned() throws {
        var leases = LeaseTable()
        let mac = "02:00:00:00:00:01"
        let context = RequestContext(serverAddress: serverAddress, now: startTime)
        let offer = try #require(responder.respond(to: clientMessage(.discover, mac: mac), context: context,
                                                   leases: &leases).reply).message
        let decline = responder.respond(to: clientMessage(.decline, mac: mac) {
            $0.options.serverIdentifier = serverAddress
            $0.options.requestedIPAddress = offer.yiaddr
        }, context: context, leases: &leases)
        #expect(leases.isQuarantined(offer.yiaddr, at: startTime + 1))
        #expect(leases.quarantinedCount == 1)
        // Only an offer was held: nothing was journaled, so there is nothing to release on disk.
        #expect(decline.leaseChange == nil)
        leases.prune(now: startTime + responder.declineQuarantine + 1)
        #expect(leases.quarantinedCount == 0)
    }

    @Test func takingAnExpiredHoldDropsThePreviousHolder() {
        var table = LeaseTable()
        let address = IPv4Address("192.168.1.100")!
        let first = MACAddress("02:00:00:00:00:01")!
        let second = MACAddress("02:00:00:00:00:02")!
        table.record(Lease(mac: first, address: address, expires: startTime + 60, state: .offered))
        table.record(Lease(mac: second, address: address, expires: startTime + 200, state: .offered))
        #expect(table.count == 1)
        #expect(table.lease(for: first) == nil)
        #expect(table.holder(of: address, at: startTime + 100) == second)
    }

    @Test func pruneKeepsBoundLeasesAndLiveHolds() {
        var table = LeaseTable()
        let bound = Lease(mac: MACAddress("02:00:00:00:00:01")!, address: IPv4Address("192.168.1.100")!,
                          expires: startTime + 10, state: .bound)
        let live = Lease(mac: MACAddress("02:00:00:00:00:02")!, address: IPv4Address("192.168.1.101")!,
                         expires: startTime + 600, state: .offered)
        table.record(bound)
        table.record(live)
        table.prune(now: startTime + 100)
        // An expired binding is on disk and keeps its address for its client; only the journal forgets it.
        #expect(table.lease(for: bound.mac) == bound)
        #expect(table.lease(for: live.mac) == live)
    }
}

/// A small seeded generator, so a failing flood can be replayed.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A locally administered unicast MAC.
    mutating func mac() -> String {
        let bytes = (0..<6).map { _ in UInt8(truncatingIfNeeded: next()) }
        let first = (bytes[0] | 0x02) & 0xFE
        return ([first] + bytes.dropFirst()).map { String(format: "%02x", $0) }.joined(separator: ":")
    }
}
