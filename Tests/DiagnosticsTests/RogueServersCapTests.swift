@testable import Diagnostics
import DHCP
import Inventory
import Testing

@Suite("Rogue-server records stay bounded")
struct RogueServersCapTests {
    private func sighting(_ index: Int, time: Double) -> RogueSighting {
        RogueSighting(serverIP: IPv4Address(0x0a00_0000 + UInt32(index)), serverMAC: MACAddress("02:00:00:00:00:c8")!,
                      client: MACAddress("02:00:00:00:66:01")!, type: .offer, offered: IPv4Address("10.0.0.150")!,
                      time: time)
    }

    @Test("100,000 spoofed server identifiers keep at most a few hundred records, the most recent ones")
    func spoofedIdentifiers() {
        let servers = RogueServers()
        for index in 0..<100_000 { servers.record(sighting(index, time: Double(index))) }
        let list = servers.list()
        #expect(list.count <= 1_024)
        #expect(list.first?.ip == "10.1.134.159") // 10.0.0.0 + 99,999: the newest stays
        #expect(!list.contains { $0.ip == "10.0.0.0" }) // the oldest went
    }
}

@Suite("Rogue-server records: least recently seen goes first")
struct RogueServersEvictionTests {
    private func sighting(_ ip: String, time: Double) -> RogueSighting {
        RogueSighting(serverIP: IPv4Address(ip)!, serverMAC: MACAddress("02:00:00:00:00:c8")!,
                      client: MACAddress("02:00:00:00:66:01")!, type: .offer, offered: IPv4Address("10.0.0.150")!,
                      time: time)
    }

    @Test("a server seen again stays; the one not seen for longest is forgotten")
    func leastRecentlySeen() {
        let servers = RogueServers(capacity: 3)
        servers.record(sighting("10.0.0.1", time: 1))
        servers.record(sighting("10.0.0.2", time: 2))
        servers.record(sighting("10.0.0.3", time: 3))
        servers.record(sighting("10.0.0.1", time: 4)) // seen again: now the most recent
        servers.record(sighting("10.0.0.4", time: 5))
        #expect(servers.list().map(\.ip) == ["10.0.0.4", "10.0.0.1", "10.0.0.3"])
        #expect(servers.list().first { $0.ip == "10.0.0.1" }?.replies == 2)
    }

    @Test("a forgotten server that comes back is new again: counted from one")
    func forgottenComesBack() {
        let servers = RogueServers(capacity: 1)
        servers.record(sighting("10.0.0.1", time: 1))
        servers.record(sighting("10.0.0.2", time: 2))
        servers.record(sighting("10.0.0.1", time: 3))
        #expect(servers.list().map(\.ip) == ["10.0.0.1"])
        #expect(servers.list().map(\.replies) == [1])
    }
}
