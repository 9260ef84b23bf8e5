import CPcap
#if canImport(Glibc)
import Glibc
#endif

/// Capture only what arrives on the interface.
enum IncomingOnly {
    /// `pcap_setdirection` filters outgoing frames after the kernel has already copied each one to the handle;
    /// PACKET_IGNORE_OUTGOING (Linux 4.20) keeps the kernel from handing them to this socket at all, so every
    /// DHCP reply and TFTP block the appliance sends no longer costs a clone and a filter run per capture.
    static func apply(to handle: OpaquePointer) {
        pcap_setdirection(handle, PCAP_D_IN)
        var on: Int32 = 1
        let packetIgnoreOutgoing: Int32 = 23 // <linux/if_packet.h>
        _ = setsockopt(pcap_fileno(handle), Int32(SOL_PACKET), packetIgnoreOutgoing, &on,
                       socklen_t(MemoryLayout<Int32>.size))
    }
}
