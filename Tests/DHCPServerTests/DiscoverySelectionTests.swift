@testable import DHCPServer
import Foundation
import Testing

/// `nodes adopt --all`'s selection: spoofed PXE DISCOVERs (any MAC, any network field a relay could claim) must
/// not become nodes, nor shift the real machines' numbering, unless asked for.
@Suite struct DiscoverySelectionTests {
    static func machine(_ mac: String, first: Double, network: String? = "provision") -> DiscoveredMachine {
        DiscoveredMachine(mac: mac, firstSeen: first, lastSeen: first, architecture: 0,
                          vendorClass: "PXEClient:Arch:00000:UNDI:002001", network: network)
    }

    static let rack = [machine("00:25:90:00:00:01", first: 1_000), machine("00:25:90:00:00:02", first: 1_010),
                       machine("00:25:90:00:00:03", first: 1_020)]
    /// Spoofed: locally administered MACs (02:…, 52:54:00:…, 7e:…, fa:…), another network, an older sighting.
    static let spoofed = [machine("02:00:00:00:00:01", first: 1_005), machine("52:54:00:12:34:56", first: 1_015),
                          machine("7e:00:00:00:00:01", first: 1_001), machine("fa:16:3e:00:00:01", first: 1_002),
                          machine("00:25:90:00:00:09", first: 1_003, network: "storage"),
                          machine("00:25:90:00:00:08", first: 10)]

    @Test func locallyAdministeredIsBit0x02OfTheFirstOctet() {
        for mac in ["02:00:00:00:00:01", "52:54:00:12:34:56", "7e:00:00:00:00:01", "fa:16:3e:00:00:01",
                    "06:00:00:00:00:00", "ff:ff:ff:ff:ff:ff"] {
            #expect(Self.machine(mac, first: 0).isLocallyAdministered, "\(mac)")
        }
        for mac in ["00:25:90:00:00:01", "00:16:3e:00:00:01", "fc:00:00:00:00:00", "01:00:5e:00:00:01"] {
            #expect(!Self.machine(mac, first: 0).isLocallyAdministered, "\(mac)")
        }
    }

    @Test func allLeavesOutLocalMACsAndNarrowsByNetworkAndTime() {
        let everything = Self.rack + Self.spoofed
        let plain = DiscoveryAdoption.Selection().apply(everything)
        #expect(Set(plain.machines.map(\.mac)) == Set(Self.rack.map(\.mac) + ["00:25:90:00:00:09", "00:25:90:00:00:08"]))
        #expect(plain.local == 4)
        #expect(plain.leftOut == "4 discovered machines left out: 4 with a locally administered MAC (--include-local takes them)")

        let narrowed = DiscoveryAdoption.Selection(network: "provision", since: 1_000).apply(everything)
        #expect(narrowed.machines.map(\.mac) == Self.rack.map(\.mac))
        #expect((narrowed.otherNetwork, narrowed.earlier, narrowed.local) == (1, 1, 4))
        #expect(narrowed.leftOut == "6 discovered machines left out: 1 not seen on the network asked for, "
            + "1 first seen before --since, 4 with a locally administered MAC (--include-local takes them)")

        let withLocal = DiscoveryAdoption.Selection(network: "provision", since: 1_000, includeLocal: true).apply(everything)
        #expect(withLocal.machines.count == 7 && withLocal.local == 0)
        #expect(DiscoveryAdoption.Selection().apply(Self.rack).leftOut == nil)
    }

    @Test func theRealMachinesKeepTheirNumbersWhenSpoofersAreLeftOut() throws {
        let selected = DiscoveryAdoption.Selection(network: "provision", since: 1_000).apply(Self.rack + Self.spoofed)
        let plan = try DiscoveryAdoption.plan(selected.machines, inventory: DiscoveryTests.inventory(),
                                              pattern: "rack{n}", start: 1)
        #expect(plan.map(\.name) == ["rack1", "rack2", "rack3"])
        #expect(plan.map(\.mac) == Self.rack.map(\.mac))
    }

    @Test func sinceTakesADurationOrAUTCTime() {
        let now = 1_800_000_000.0
        #expect(DiscoveryAdoption.since("30m", now: now) == now - 1_800)
        #expect(DiscoveryAdoption.since("2h", now: now) == now - 7_200)
        #expect(DiscoveryAdoption.since("1d", now: now) == now - 86_400)
        #expect(DiscoveryAdoption.since("3600", now: now) == now - 3_600)
        #expect(DiscoveryAdoption.since("2026-12-07 17:00", now: now) == 1_796_662_800)
        #expect(DiscoveryAdoption.since("2026-12-07 17:00:30", now: now) == 1_796_662_830)
        #expect(DiscoveryAdoption.since("2026-12-07T17:00:00Z", now: now) == 1_796_662_800)
        #expect(DiscoveryAdoption.since("2026-12-07T18:00:00+01:00", now: now) == 1_796_662_800)
        #expect(DiscoveryAdoption.since("2026-12-07", now: now) == 1_796_601_600)
        for bad in ["", "soon", "infinite", "-1h", "2026-13-40", "17:00"] {
            #expect(DiscoveryAdoption.since(bad, now: now) == nil, "\(bad)")
        }
    }

    @Test func aFallbackNetworkNodesYAMLLacksIsRefused() throws {
        #expect(throws: DiscoveryAdoption.Refusal(description: "no network 'storage' in nodes.yaml")) {
            try DiscoveryAdoption.plan(Self.rack, inventory: DiscoveryTests.inventory(), pattern: "rack{n}", start: 1,
                                       network: "storage")
        }
    }

    @Test func theTableMarksLocalMACs() {
        let text = DiscoveryTable.render([Self.rack[0], Self.spoofed[1]])
        let lines = text.split(separator: "\n")
        #expect(lines[0].contains("LOCAL"))
        #expect(lines[1].contains("00:25:90:00:00:01  -"))
        #expect(lines[2].contains("52:54:00:12:34:56  yes"))
        #expect(text.hasSuffix(DiscoveryTable.localNote))
        #expect(!DiscoveryTable.render(Self.rack).contains("LOCAL yes"))
    }
}
