@testable import Inventory
import Testing

@Suite struct ValueParsingTests {
    @Test func macAddressesAreCanonical() {
        #expect(MACAddress("52:54:00:AB:cd:0F")?.description == "52:54:00:ab:cd:0f")
        #expect(MACAddress("52-54-00-ab-cd-0f")?.hyphenated == "52-54-00-ab-cd-0f")
        #expect(MACAddress("52:54:00:ab:cd") == nil)
        #expect(MACAddress("52:54:00:ab:cd:0f:11") == nil)
        #expect(MACAddress("525400abcd0f") == nil)
        #expect(MACAddress("52:54:00:ab:cd:0f ") == nil)
    }

    @Test func ipv4AddressesAndSubnets() throws {
        #expect(IPv4Address("10.1.2.3")?.value == 0x0A01_0203)
        #expect(IPv4Address("010.1.2.3") == nil)
        #expect(IPv4Address("10.1.2.3.4") == nil)
        #expect(IPv4Address("10.1..3") == nil)
        #expect(IPv4Address("+1.1.1.1") == nil)
        let subnet = try IPv4Subnet.parse("10.1.0.0/16").get()
        #expect(subnet.mask.description == "255.255.0.0")
        #expect(subnet.broadcast.description == "10.1.255.255")
        #expect(subnet.contains(IPv4Address("10.1.200.3")!))
        #expect(!subnet.contains(IPv4Address("10.2.0.1")!))
        #expect(IPv4Subnet.parse("10.1.0.1/16") == .failure(.hostBitsSet(suggestion: "10.1.0.0/16")))
        #expect(IPv4Subnet.parse("0.0.0.0/0").map(\.prefixLength) == .success(0))
        let point = try IPv4Subnet.parse("10.0.0.4/31").get()
        #expect(!point.isReservedAddress(IPv4Address("10.0.0.4")!))
    }

    @Test(arguments: [
        ("3600", UInt32(3600)), ("30m", 1800), ("12h", 43_200), ("1d", 86_400), ("1h30m", 5400), ("2w", 1_209_600),
        ("45s", 45), ("infinite", UInt32.max),
    ])
    func durations(text: String, seconds: UInt32) {
        #expect(LeaseDuration(text)?.seconds == seconds)
    }

    @Test func durationsPrintShortest() {
        #expect(LeaseDuration(seconds: 43_200).description == "12h")
        #expect(LeaseDuration(seconds: 5401).description == "1h30m1s")
        #expect(LeaseDuration.infinite.description == "infinite")
    }

    @Test func namesFollowRFC1123() {
        #expect(Names.isHostLabel("compute-01"))
        #expect(Names.isHostLabel("001"))
        #expect(!Names.isHostLabel("compute-"))
        #expect(!Names.isHostLabel("comp_ute"))
        #expect(Names.isDomainName("head.cluster.local"))
        #expect(!Names.isDomainName("head..local"))
        #expect(Names.isInterfaceName("mydocker0"))
        #expect(!Names.isInterfaceName("averyverylongname0"))
        #expect(!Names.isInterfaceName("eth0:1"))
    }

    @Test func suggestionsFindNearMissesOnly() {
        let keys = ["mac", "ip", "groups", "hostname", "image", "root_path", "cmdline"]
        #expect(Suggestion.closest(to: "rootpath", among: keys) == "root_path")
        #expect(Suggestion.closest(to: "Root-Path", among: keys) == "root_path")
        #expect(Suggestion.closest(to: "imgae", among: keys) == "image")
        #expect(Suggestion.closest(to: "group", among: keys) == "groups")
        #expect(Suggestion.closest(to: "kernel", among: keys) == nil)
        #expect(Suggestion.closest(to: "x", among: keys) == nil)
    }
}
