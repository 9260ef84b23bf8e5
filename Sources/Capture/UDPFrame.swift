/// Builds Ethernet + IPv4 + UDP frames for raw delivery (pure; checksums computed here).
public enum UDPFrame {
    /// One Ethernet II frame carrying `payload` in a UDP datagram. Addresses are in network byte order.
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
        var ip: [UInt8] = [
            0x45, 0x00, UInt8(totalLength >> 8), UInt8(totalLength & 0xff),
            0x00, 0x00, 0x40, 0x00, // id 0, don't fragment
            64, 17, 0, 0, // TTL, UDP, checksum placeholder
        ]
        ip += bytes(sourceIP)
        ip += bytes(destinationIP)
        let ipChecksum = checksum(ip)
        ip[10] = UInt8(ipChecksum >> 8)
        ip[11] = UInt8(ipChecksum & 0xff)
        frame += ip

        var udp: [UInt8] = [
            UInt8(sourcePort >> 8), UInt8(sourcePort & 0xff), UInt8(destinationPort >> 8), UInt8(destinationPort & 0xff),
            UInt8(udpLength >> 8), UInt8(udpLength & 0xff), 0, 0,
        ]
        // The UDP checksum covers a pseudo-header (RFC 768).
        let pseudo = bytes(sourceIP) + bytes(destinationIP) + [0, 17, UInt8(udpLength >> 8), UInt8(udpLength & 0xff)]
        var udpChecksum = checksum(pseudo + udp + payload)
        if udpChecksum == 0 { udpChecksum = 0xffff } // 0 means "no checksum" in UDP over IPv4
        udp[6] = UInt8(udpChecksum >> 8)
        udp[7] = UInt8(udpChecksum & 0xff)
        frame += udp
        frame += payload
        return frame
    }

    /// The Internet checksum (RFC 1071).
    public static func checksum(_ data: [UInt8]) -> UInt16 {
        var sum: UInt32 = 0
        var index = 0
        while index + 1 < data.count {
            sum += UInt32(data[index]) << 8 | UInt32(data[index + 1])
            index += 2
        }
        if index < data.count { sum += UInt32(data[index]) << 8 }
        while sum >> 16 != 0 { sum = (sum & 0xffff) + (sum >> 16) }
        return ~UInt16(sum)
    }

    private static func bytes(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)]
    }
}
