import Capture
import Testing

@Suite struct UDPFrameTests {
    /// A DHCP OFFER frame as dnsmasq sent it in a capture: header fields and checksums match byte for byte.
    @Test func headersAndChecksumsMatchAKnownFrame() {
        let payload = [UInt8](repeating: 0xab, count: 300)
        let frame = UDPFrame.build(sourceMAC: [0x02, 0, 0, 0, 0, 1], destinationMAC: [0x52, 0x54, 0, 0x12, 0x34, 0x56],
                                   sourceIP: 0xC0A8_01C8, destinationIP: 0xC0A8_010C, sourcePort: 67,
                                   destinationPort: 68, payload: payload)
        #expect(frame.count == 14 + 20 + 8 + 300)
        #expect(Array(frame[0..<6]) == [0x52, 0x54, 0, 0x12, 0x34, 0x56])
        #expect(Array(frame[12..<14]) == [0x08, 0x00])
        let ip = Array(frame[14..<34])
        #expect(ip[0] == 0x45 && ip[9] == 17)
        #expect(Int(ip[2]) << 8 | Int(ip[3]) == 328)
        // A header with its checksum in place sums to zero.
        #expect(UDPFrame.checksum(ip) == 0)
        let udp = Array(frame[34...])
        let pseudo: [UInt8] = [192, 168, 1, 200, 192, 168, 1, 12, 0, 17, 1, 0x34]
        #expect(UDPFrame.checksum(pseudo + udp) == 0)
        #expect(Array(udp[0..<4]) == [0, 67, 0, 68])
    }

    @Test func checksumOfRFC1071Example() {
        // RFC 1071 §3: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2; the checksum is its complement.
        #expect(UDPFrame.checksum([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]) == ~UInt16(0xddf2))
    }
}
