import ByteOrder
import Testing

@Suite struct BigEndianTests {
    /// The bytes of a real DHCP header (udhcpc: secs 0, flags 0x8000, yiaddr 192.168.1.11) read as the RFC says.
    @Test func readsNetworkOrder() {
        let bytes: [UInt8] = [0x80, 0x00, 0xC0, 0xA8, 0x01, 0x0B]
        #expect(BigEndian.uint16(bytes, at: 0) == 0x8000)
        #expect(BigEndian.uint32(bytes, at: 2) == 0xC0A8_010B)
        #expect(BigEndian.uint16(bytes[2...], at: 4) == 0x010B) // a slice keeps its parent's indices
    }

    @Test func writesWhatItReads() {
        var out: [UInt8] = []
        BigEndian.append(UInt16(0x0102), to: &out)
        BigEndian.append(UInt32(0x0A00_0001), to: &out)
        #expect(out == [1, 2, 10, 0, 0, 1])
        #expect(BigEndian.bytes(UInt16(0xABCD)) == [0xAB, 0xCD])
        #expect(BigEndian.bytes(UInt32(0xC0A8_0001)) == [192, 168, 0, 1])
    }
}
