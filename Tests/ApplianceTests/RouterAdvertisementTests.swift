import RouterAdvertisement
import Testing

@Suite("Neutral router advertisement")
struct RouterAdvertisementTests {
    /// A router solicitation as iPXE sends one: type 133, with a source link-layer address option.
    static let ipxeSolicitation: [UInt8] = [0x85, 0x00, 0x1c, 0x3e, 0, 0, 0, 0, 0x01, 0x01, 0x52, 0x54, 0x00, 0xc0, 0xff, 0x01]

    @Test("solicitations are recognised; other ICMPv6 and broken options are not")
    func solicitation() {
        #expect(NeutralRouterAdvertisement.isSolicitation(Self.ipxeSolicitation))
        #expect(NeutralRouterAdvertisement.isSolicitation(Self.ipxeSolicitation.prefix(8)))
        var echo = Self.ipxeSolicitation
        echo[0] = 128
        #expect(!NeutralRouterAdvertisement.isSolicitation(echo))
        var zeroLength = Self.ipxeSolicitation
        zeroLength[9] = 0
        #expect(!NeutralRouterAdvertisement.isSolicitation(zeroLength))
        #expect(!NeutralRouterAdvertisement.isSolicitation(Self.ipxeSolicitation.prefix(12)))
        #expect(!NeutralRouterAdvertisement.isSolicitation([0x85, 0, 0]))
    }

    @Test("the advertisement configures nothing: lifetime 0, M and O clear, no prefix, our MAC as source option")
    func advertisement() {
        let packet = NeutralRouterAdvertisement.advertisement(sourceMAC: [0x02, 0, 0, 0, 0, 0x01])
        #expect(packet.count == 24)
        #expect(packet[0] == 134 && packet[1] == 0)
        #expect(packet[5] == 0)              // M and O clear
        #expect(packet[6] == 0 && packet[7] == 0) // router lifetime 0
        // The only option is the source link-layer address: no prefix information (type 3), no MTU.
        #expect(Array(packet[16...]) == [1, 1, 0x02, 0, 0, 0, 0, 0x01])
    }
}
