/// ICMPv6 router solicitations in, router advertisements that configure nothing out (RFC 4861 §4.1, §4.2).
///
/// iPXE solicits a router and waits about 13 s for an answer before it goes on to TFTP. This answer ends the
/// wait and changes nothing on any host: router lifetime 0 (not a default router, §6.3.4), M and O clear (no
/// DHCPv6), hop limit and timers 0 (unspecified) and no prefix information (no address is formed).
/// Bytes start at the ICMPv6 header, as a raw ICMPv6 socket delivers and sends them; the kernel fills the checksum.
public enum NeutralRouterAdvertisement {
    public static let solicitationType: UInt8 = 133
    public static let advertisementType: UInt8 = 134

    /// True for a well-formed router solicitation: type 133, code 0, at least 8 bytes, options of non-zero length.
    public static func isSolicitation<Bytes: Collection>(_ bytes: Bytes) -> Bool where Bytes.Element == UInt8 {
        let packet = Array(bytes)
        guard packet.count >= 8, packet[0] == solicitationType, packet[1] == 0 else { return false }
        var offset = 8
        while offset < packet.count {
            // §4.6: options are 8-byte units; a zero length must make the receiver drop the packet.
            guard offset + 2 <= packet.count, packet[offset + 1] != 0 else { return false }
            offset += Int(packet[offset + 1]) * 8
            guard offset <= packet.count else { return false }
        }
        return true
    }

    /// The advertisement; with `sourceMAC` it carries the source link-layer address option (§4.6.1) so the
    /// solicitor needs no neighbour solicitation to answer.
    public static func advertisement(sourceMAC: [UInt8]?) -> [UInt8] {
        var packet: [UInt8] = [
            advertisementType, 0, 0, 0, // type, code, checksum (kernel)
            0,                          // current hop limit: unspecified
            0,                          // M = 0, O = 0
            0, 0,                       // router lifetime 0: not a default router
            0, 0, 0, 0,                 // reachable time: unspecified
            0, 0, 0, 0,                 // retransmission timer: unspecified
        ]
        if let sourceMAC, sourceMAC.count == 6 {
            packet += [1, 1] + sourceMAC
        }
        return packet
    }
}
