import Inventory
import Testing

/// `--ip auto` and `networks detect`: pure address arithmetic.
@Suite struct AddressAllocatorTests {
    static let network = load("""
        server: {interface: br0}
        networks:
          provision: {subnet: 10.0.0.0/29, router: 10.0.0.1, pool: 10.0.0.5-10.0.0.6}
        """).inventory!.networks[0]

    @Test func skipsRouterServerTakenAndPoolAddresses() {
        #expect(AddressAllocator.nextFree(in: Self.network, server: IPv4Address("10.0.0.2"),
                                          taken: [IPv4Address("10.0.0.3")!]) == IPv4Address("10.0.0.4"))
    }

    @Test func aFullSubnetHasNone() {
        // .0 network, .1 router, .2 server, .3 .4 taken, .5 .6 pool, .7 broadcast.
        #expect(AddressAllocator.nextFree(in: Self.network, server: IPv4Address("10.0.0.2"),
                                          taken: [IPv4Address("10.0.0.3")!, IPv4Address("10.0.0.4")!]) == nil)
    }

    @Test func aDetectedNetworkIsTheAddressPrefixAndGatewayInside() throws {
        let detected = try #require(DetectedNetwork(name: "provision", address: IPv4Address("10.7.3.20")!,
                                                    prefixLength: 22, defaultGateway: IPv4Address("10.7.0.1")))
        #expect(detected.entryLines == ["provision:", "  subnet: 10.7.0.0/22", "  router: 10.7.0.1"])
        let outside = try #require(DetectedNetwork(name: "p", address: IPv4Address("10.7.3.20")!, prefixLength: 24,
                                                   defaultGateway: IPv4Address("10.9.0.1")))
        #expect(outside.router == nil)
        #expect(DetectedNetwork(name: "p", address: IPv4Address("10.7.3.20")!, prefixLength: 31,
                                defaultGateway: nil) == nil)
        #expect(DetectedNetwork.defaultName(taken: ["provision"], subnet: detected.subnet) == "net-10-7-0-0-22")
    }
}
