import Capture
import Foundation
import HexFixtures
import Testing

@Suite struct UDPFrameTests {
    /// The Ethernet frame of a DHCPOFFER dnsmasq 2.90 unicast to busybox udhcpc 1.35 (no broadcast flag),
    /// captured with dumpcap in the client's namespace by integration/capture/record-offer (checksum offload
    /// off, so the UDP checksum is the one a wire carries, not the kernel's partial pseudo-header sum).
    static func capturedOffer() throws -> [UInt8] { try HexFixture.capture("dnsmasq-offer-unicast.hex") }

    /// RFC 1071 written out separately from `UDPFrame.checksum`: the one's complement of the one's complement
    /// sum of the 16-bit words, an odd last byte padded with zero.
    static func internetChecksum(_ bytes: [UInt8]) -> UInt16 {
        let padded = bytes.count % 2 == 0 ? bytes : bytes + [0]
        var sum = 0
        for word in stride(from: 0, to: padded.count, by: 2) { sum += Int(padded[word]) * 256 + Int(padded[word + 1]) }
        while sum > 0xFFFF { sum = sum / 0x10000 + sum % 0x10000 }
        return UInt16(0xFFFF - sum)
    }

    static func uint32(_ bytes: ArraySlice<UInt8>) -> UInt32 { bytes.reduce(0) { $0 << 8 | UInt32($1) } }

    /// The same OFFER built by `UDPFrame` from the captured fields: every byte the builder decides matches the
    /// capture. Bytes 15, 18–21 and 24–25 (IP TOS, ID, flags and header checksum) differ by design: dnsmasq's
    /// frame left through its UDP socket, where it sets TOS 0xc0 (CS6) and turns off path MTU discovery (no DF),
    /// and the kernel numbers datagrams; netroot's raw frames carry TOS 0, ID 0 and DF, so its checksum differs.
    /// The UDP checksum matches: it covers only the pseudo-header and the datagram.
    @Test func matchesADnsmasqOfferByteForByteButTheKernelsIPFields() throws {
        let captured = try Self.capturedOffer()
        try #require(captured.count == 342)
        let payload = Array(captured[42...])
        let built = UDPFrame.build(sourceMAC: Array(captured[6..<12]), destinationMAC: Array(captured[0..<6]),
                                   sourceIP: Self.uint32(captured[26..<30]), destinationIP: Self.uint32(captured[30..<34]),
                                   sourcePort: UInt16(Self.uint32(captured[34..<36])),
                                   destinationPort: UInt16(Self.uint32(captured[36..<38])), payload: payload)
        #expect(built.count == captured.count)

        let differing = (0..<min(built.count, captured.count)).filter { built[$0] != captured[$0] }
        #expect(Set(differing).isSubset(of: [15, 18, 19, 20, 21, 24, 25]), "differing bytes: \(differing)")
        // Ethernet header; IP version, header length, total length, TTL, protocol, addresses; UDP header with its
        // checksum (it covers only the pseudo-header and the UDP datagram); the DHCP payload.
        #expect(built[0..<14] == captured[0..<14])
        #expect(built[14] == captured[14] && built[16..<18] == captured[16..<18] && built[22..<24] == captured[22..<24])
        #expect(built[26..<34] == captured[26..<34])
        #expect(built[34...] == captured[34...])
        // The kernel's choices in the capture, and the builder's: TOS, ID, flags (DF), TTL 64, UDP.
        #expect(captured[15] == 0xc0 && captured[20..<22] == [0, 0] && captured[22..<24] == [64, 17])
        #expect(built[15] == 0 && built[18..<22] == [0, 0, 0x40, 0] && built[22..<24] == [64, 17])

        // The capture's own checksums are valid, computed here independently of the builder.
        var capturedHeader = Array(captured[14..<34])
        capturedHeader[10] = 0
        capturedHeader[11] = 0
        #expect(Self.internetChecksum(capturedHeader) == UInt16(Self.uint32(captured[24..<26])))
        var capturedUDP = Array(captured[34...])
        capturedUDP[6] = 0
        capturedUDP[7] = 0
        let pseudo = Array(captured[26..<34]) + [0, 17] + Array(captured[38..<40])
        #expect(Self.internetChecksum(pseudo + capturedUDP) == UInt16(Self.uint32(captured[40..<42])))

        // With dnsmasq's TOS, ID and flags put in, the builder's header checksums to the captured one.
        var header = Array(built[14..<34])
        header[1] = captured[15]
        header.replaceSubrange(4..<8, with: captured[18..<22])
        header[10] = 0
        header[11] = 0
        #expect(Self.internetChecksum(header) == UInt16(Self.uint32(captured[24..<26])))
    }

    /// Both checksums of a built frame are valid per RFC 1071, computed independently of the builder.
    @Test(arguments: [0, 1, 300, 301, 1472])
    func checksumsAreValid(payloadLength: Int) {
        let payload = (0..<payloadLength).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let frame = UDPFrame.build(sourceMAC: [0x02, 0, 0, 0, 0, 1], destinationMAC: [0x52, 0x54, 0, 0x12, 0x34, 0x56],
                                   sourceIP: 0xC0A8_01C8, destinationIP: 0xC0A8_010C, sourcePort: 67,
                                   destinationPort: 68, payload: payload)
        var header = Array(frame[14..<34])
        let headerChecksum = UInt16(header[10]) << 8 | UInt16(header[11])
        header[10] = 0
        header[11] = 0
        #expect(headerChecksum == Self.internetChecksum(header))

        var udp = Array(frame[34...])
        let udpChecksum = UInt16(udp[6]) << 8 | UInt16(udp[7])
        udp[6] = 0
        udp[7] = 0
        let length = UInt8(udp.count >> 8), lengthLow = UInt8(udp.count & 0xff)
        let pseudo: [UInt8] = [192, 168, 1, 200, 192, 168, 1, 12, 0, 17, length, lengthLow]
        let expected = Self.internetChecksum(pseudo + udp)
        // RFC 768: a computed 0 is sent as all ones (0 means "no checksum").
        #expect(udpChecksum == (expected == 0 ? 0xFFFF : expected))
        #expect(Int(udp[4]) << 8 | Int(udp[5]) == 8 + payloadLength)
    }

    @Test func checksumOfRFC1071Example() {
        // RFC 1071 §3: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2; the checksum is its complement.
        #expect(UDPFrame.checksum([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]) == ~UInt16(0xddf2))
        #expect(Self.internetChecksum([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]) == ~UInt16(0xddf2))
    }
}
