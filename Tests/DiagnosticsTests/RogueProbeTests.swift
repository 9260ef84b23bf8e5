import DHCP
import HexFixtures
@testable import Diagnostics
import Foundation
@testable import Inventory
import Testing

/// The bytes of a hex capture in Captures/ (whitespace ignored).
func capturedFrame(_ name: String) -> [UInt8] { (try? HexFixture.capture(name)) ?? [] }

@Suite("The active rogue-DHCP probe")
struct RogueProbeTests {
    @Test("the probe's MAC is stable, locally administered, unicast and never the interface's own")
    func probeMAC() {
        for text in ["52:54:00:12:34:56", "02:42:ac:11:00:02", "ff:ff:ff:ff:ff:ff", "00:00:00:00:00:00",
                     "03:6e:72:00:00:01"] {
            let interface = MACAddress(text)!
            let probe = RogueProbe.mac(for: interface)
            #expect(probe != interface)
            #expect(probe.bytes[0] & 0x02 != 0, "locally administered")
            #expect(probe.bytes[0] & 0x01 == 0, "unicast")
            #expect(probe == RogueProbe.mac(for: interface), "stable")
            #expect(probe.bytes[3...] == interface.bytes[3...], "tied to the interface")
        }
        #expect(RogueProbe.mac(for: MACAddress("52:54:00:12:34:56")!) == MACAddress("52:3a:72:12:34:56"))
    }

    @Test("the DISCOVER: broadcast flag, the probe's MAC and xid, nothing that asks for a particular address")
    func discover() throws {
        let round = RogueProbe.Round(mac: MACAddress("02:3a:72:00:00:01")!, xid: 0x1234_5678)
        let bytes = RogueProbe.discover(round)
        #expect(bytes.count >= 300)
        let message = try DHCPMessage(decoding: bytes)
        #expect(message.op == .request)
        #expect(message.broadcastFlag)
        #expect(message.xid == 0x1234_5678)
        #expect(message.clientMAC == round.mac)
        #expect(message.options.messageType == .discover)
        #expect(message.options.requestedIPAddress == nil)
        #expect(message.options.serverIdentifier == nil)
        #expect(message.ciaddr == IPv4Address(0))
        #expect(message.options.hostName == RogueProbe.hostName)
    }
}

@Suite("The probe against a real dnsmasq (Captures/)")
struct RogueProbeCaptureTests {
    static let discover = capturedFrame("probe-discover.hex")
    static let offer = capturedFrame("dnsmasq-probe-offer.hex")
    static let round = RogueProbe.Round(mac: RogueProbe.mac(for: MACAddress("a2:a1:3c:1f:2f:0b")!), xid: 0x40ff_8ffc)

    @Test("the DISCOVER that left is the one discover() builds, byte for byte (after the 42-byte headers)")
    func discoverOnTheWire() {
        #expect(Self.round.mac == MACAddress("a2:cf:4e:1f:2f:0b"))
        #expect(Self.discover.count == 42 + 300)
        #expect(Array(Self.discover[42...]) == RogueProbe.discover(Self.round))
        #expect(Array(Self.discover[6..<12]) == Self.round.mac.bytes, "sent from the probe's MAC")
    }

    @Test("dnsmasq's OFFER to the probe is a rogue: its address, MAC and what it offered")
    func dnsmasqIsRogue() throws {
        let verdict = RogueProbe.judge(Self.offer, round: Self.round, ours: [IPv4Address("10.209.0.1")!], time: 7)
        guard case .rogue(let sighting) = try #require(verdict) else {
            Issue.record("not judged rogue: \(String(describing: verdict))")
            return
        }
        #expect(sighting.serverIP == IPv4Address("10.209.0.200"))
        #expect(sighting.serverMAC == MACAddress("fe:85:46:28:47:ba"))
        #expect(sighting.offered == IPv4Address("10.209.0.157"))
        #expect(sighting.client == Self.round.mac)
        #expect(sighting.toProbe)
        #expect(sighting.time == 7)
    }

    @Test("an OFFER from one of our addresses is ours, not a rogue")
    func ownOffer() {
        #expect(RogueProbe.judge(Self.offer, round: Self.round, ours: [IPv4Address("10.209.0.200")!], time: 0)
                    == .ours(server: IPv4Address("10.209.0.200")!, offered: IPv4Address("10.209.0.157")!))
    }

    @Test("replies that do not answer this round are no verdict: another xid, another MAC, a client's OFFER, ours")
    func notAnswers() {
        var other = Self.round
        other.xid += 1
        #expect(RogueProbe.judge(Self.offer, round: other, ours: [], time: 0) == nil)
        other = Self.round
        other.mac = MACAddress("02:00:00:00:66:01")!
        #expect(RogueProbe.judge(Self.offer, round: other, ours: [], time: 0) == nil)
        #expect(RogueProbe.judge(RogueDetectorTests.offer, round: Self.round, ours: [], time: 0) == nil)
        #expect(RogueProbe.judge(Self.discover, round: Self.round, ours: [], time: 0) == nil)
        for length in [0, 14, 41, 100, 250] {
            #expect(RogueProbe.judge(Array(Self.offer.prefix(length)), round: Self.round, ours: [], time: 0) == nil)
        }
    }

    @Test("the passive watch sees the probe's OFFER too, as an OFFER to the probe's MAC (the monitor skips it)")
    func passiveView() throws {
        let sighting = try #require(RogueDetector.inspect(Self.offer, ours: [], time: 0))
        #expect(sighting.client == Self.round.mac)
    }

    @Test("a probe sighting is recorded without naming the probe as a client")
    func recorded() throws {
        guard case .rogue(let sighting) = RogueProbe.judge(Self.offer, round: Self.round, ours: [], time: 1) else {
            Issue.record("not judged rogue")
            return
        }
        let servers = RogueServers()
        servers.record(sighting)
        let server = try #require(servers.list().first)
        #expect(server.clients.isEmpty)
        #expect(server.lastReply == "OFFER 10.209.0.157 to netroot's probe (a2:cf:4e:1f:2f:0b)")
    }
}

@Suite("Inventory: server.rogue_probe_interval")
struct RogueProbeIntervalSettingTests {
    private func load(_ value: String?) -> InventoryLoadResult {
        let line = value.map { "\n  rogue_probe_interval: \($0)" } ?? ""
        return InventoryLoader.parse(text: "server:\n  interface: br0\(line)\n", file: "nodes.yaml",
                                     baseDirectory: "/", fileExists: { _ in true })
    }

    @Test("default five minutes; durations; 0 and off turn it off")
    func values() {
        #expect(load(nil).inventory?.server.rogueProbeInterval == 300)
        #expect(load("5m").inventory?.server.rogueProbeInterval == 300)
        #expect(load("90").inventory?.server.rogueProbeInterval == 90)
        #expect(load("1h30m").inventory?.server.rogueProbeInterval == 5400)
        #expect(load("0").inventory?.server.rogueProbeInterval == 0)
        #expect(load("off").inventory?.server.rogueProbeInterval == 0)
    }

    @Test("too short, infinite or not a duration: an error at the value's line and column")
    func errors() {
        for value in ["5s", "infinite", "often", "-1"] {
            let result = load(value)
            #expect(result.inventory == nil)
            #expect(result.diagnostics.errors.map(\.description)
                        == ["nodes.yaml:3:25: server: invalid rogue_probe_interval '\(value)' "
                            + "(expected a duration of at least 10s like 5m, or 0 or off)"])
        }
    }
}
