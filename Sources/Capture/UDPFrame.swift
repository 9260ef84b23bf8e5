import ByteOrder
/// Builds Ethernet + IPv4 + UDP frames for raw delivery (pure; checksums computed here).
public enum UDPFrame {
    /// One Ethernet II frame carrying `payload` in a UDP datagram. IPv4 addresses are numbers
    /// (`IPv4Address.value`: 10.0.0.1 is 0x0A000001), ports are port numbers; the frame carries them big-endian.
    public static func build(sourceMAC: [UInt8], destinationMAC: [UInt8], sourceIP: UInt32, destinationIP: UInt32,
                             sourcePort: UInt16, destinationPort: UInt16, payload: [UInt8]) -> [UInt8] {
        precondition(sourceMAC.count == 6 && destinationMAC.count == 6)
        var frame = [UInt8]()
        frame.reserveCapacity(14 + 20 + 8 + payload.count)
        frame += destinationMAC
        frame += sourceMAC
        frame += [0x08, 0x00] // IPv4

        let udpLength = 8 + payload.count
        let totalLength = 20 + udpLength
        var ip: [UInt8] = [0x45, 0x00] + BigEndian.bytes(UInt16(totalLength)) + [
            0x00, 0x00, 0x40, 0x00, // id 0, don't fragment
            64, 17, 0, 0, // TTL, UDP, checksum placeholder
        ]
        BigEndian.append(sourceIP, to: &ip)
        BigEndian.append(destinationIP, to: &ip)
        ip.replaceSubrange(10..<12, with: BigEndian.bytes(checksum(ip)))
        frame += ip

        var udp = BigEndian.bytes(sourcePort) + BigEndian.bytes(destinationPort) + BigEndian.bytes(UInt16(udpLength))
            + [0, 0]
        // The UDP checksum covers a pseudo-header (RFC 768).
        let pseudo = BigEndian.bytes(sourceIP) + BigEndian.bytes(destinationIP) + [0, 17]
            + BigEndian.bytes(UInt16(udpLength))
        var udpChecksum = checksum(pseudo + udp + payload)
        if udpChecksum == 0 { udpChecksum = 0xffff } // 0 means "no checksum" in UDP over IPv4
        udp.replaceSubrange(6..<8, with: BigEndian.bytes(udpChecksum))
        frame += udp
        frame += payload
        return frame
    }

    /// The Internet checksum (RFC 1071).
    public static func checksum(_ data: [UInt8]) -> UInt16 {
        var sum: UInt32 = 0
        var index = 0
        while index + 1 < data.count {
            sum += UInt32(BigEndian.uint16(data, at: index))
            index += 2
        }
        if index < data.count { sum += UInt32(data[index]) << 8 }
        while sum >> 16 != 0 { sum = (sum & 0xffff) + (sum >> 16) }
        return ~UInt16(sum)
    }
}
