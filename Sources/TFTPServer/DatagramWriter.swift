import CSyscalls
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Writes one transfer's packets straight to its socket: the DATA packets of a window are laid back to back in
/// one reused buffer and leave with one sendmsg, split into datagrams by the kernel (UDP segmentation offload).
/// No allocation, pipeline or syscall per packet, which is what a TFTP server's throughput is made of.
///
/// Use from one thread at a time, and only while the descriptor is open.
struct DatagramWriter {
    /// Cleared for the whole process the first time a path refuses segmentation; packets then go one by one.
    static let segmentation = Atomic<Bool>(true)
    /// The kernel's limits: UDP_MAX_SEGMENTS, and one IPv4 packet's worth of payload.
    private static let maximumSegments = 64
    private static let maximumPayload = 65_507

    private let descriptor: Int32
    private var buffer: [UInt8] = []
    /// Where each queued packet ends in `buffer`.
    private var ends: [Int] = []

    /// `descriptor` is connected to the client.
    init(descriptor: Int32, capacity: Int) {
        self.descriptor = descriptor
        buffer.reserveCapacity(capacity)
    }

    /// Queues DATA `block` carrying `bytes`.
    mutating func queueData(block: UInt16, bytes: ArraySlice<UInt8>) {
        buffer.append(0)
        buffer.append(3)
        buffer.append(UInt8(truncatingIfNeeded: block >> 8))
        buffer.append(UInt8(truncatingIfNeeded: block))
        buffer.append(contentsOf: bytes)
        ends.append(buffer.count)
    }

    /// Queues one whole packet (OACK, ERROR).
    mutating func queue(_ packet: [UInt8]) {
        buffer.append(contentsOf: packet)
        ends.append(buffer.count)
    }

    /// Sends what is queued. A send the kernel refuses for want of buffer space is left to the retransmit timer,
    /// as a packet lost on the wire would be.
    mutating func flush() {
        defer {
            buffer.removeAll(keepingCapacity: true)
            ends.removeAll(keepingCapacity: true)
        }
        var first = 0
        while first < ends.count {
            // Packets of one size go together (a shorter one ends the group), within the kernel's limits.
            let size = length(of: first)
            let most = min(Self.maximumSegments, max(1, Self.maximumPayload / size))
            var last = first
            while last + 1 < ends.count, last + 1 - first < most, length(of: last) == size, length(of: last + 1) <= size {
                last += 1
            }
            send(packets: first...last, segmentSize: last > first ? size : 0)
            first = last + 1
        }
    }

    private func offset(of packet: Int) -> Int { packet == 0 ? 0 : ends[packet - 1] }

    private func length(of packet: Int) -> Int { ends[packet] - offset(of: packet) }

    private func send(packets: ClosedRange<Int>, segmentSize: Int) {
        if segmentSize > 0, Self.segmentation.load(ordering: .relaxed) {
            let start = offset(of: packets.lowerBound), end = ends[packets.upperBound]
            let sent = buffer.withUnsafeBytes { bytes in
                netroot_send_datagrams(descriptor, bytes.baseAddress! + start, UInt(end - start), 0, 0,
                                       UInt16(segmentSize))
            }
            if sent >= 0 { return }
            // This path cannot segment (no checksum offload, an old kernel): never try again, send one by one.
            if errno == EIO || errno == EINVAL || errno == ENOPROTOOPT {
                Self.segmentation.store(false, ordering: .relaxed)
            } else {
                return
            }
        }
        for packet in packets {
            _ = buffer.withUnsafeBytes { bytes in
                netroot_send_datagrams(descriptor, bytes.baseAddress! + offset(of: packet), UInt(length(of: packet)),
                                       0, 0, 0)
            }
        }
    }
}
