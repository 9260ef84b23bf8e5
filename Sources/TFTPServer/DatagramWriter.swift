import CSyscalls
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Writes one transfer's packets straight to its socket: the DATA packets of a window are laid back to back in
/// one reused buffer (the file's bytes are read straight into it) and leave with one sendmsg, split into
/// datagrams by the kernel (UDP segmentation offload). No allocation, pipeline or syscall per packet, which is
/// what a TFTP server's throughput is made of.
///
/// Use from one thread at a time, and only while the descriptor is open.
final class DatagramWriter {
    /// Cleared for the whole process the first time a path refuses segmentation; packets then go one by one.
    static let segmentation = Atomic<Bool>(true)
    /// The kernel's limits: UDP_MAX_SEGMENTS, and one IPv4 packet's worth of payload.
    private static let maximumSegments = 64
    private static let maximumPayload = 65_507

    private let descriptor: Int32
    private var buffer: UnsafeMutableRawBufferPointer
    /// Bytes queued in `buffer`.
    private var used = 0
    /// Where each queued packet ends in `buffer`.
    private var ends: [Int] = []

    /// `descriptor` is connected to the client; `capacity` is a window's worth of packets (it grows if needed).
    init(descriptor: Int32, capacity: Int) {
        self.descriptor = descriptor
        buffer = .allocate(byteCount: max(capacity, 1024), alignment: 8)
    }

    deinit { buffer.deallocate() }

    /// Queues DATA `block` whose `count` payload bytes `fill` writes in place. When `fill` throws, nothing is queued.
    func queueData<Failure: Error>(block: UInt16, count: Int,
                                   fill: (UnsafeMutableRawBufferPointer) throws(Failure) -> Void) throws(Failure) {
        reserve(4 + count)
        buffer[used] = 0
        buffer[used + 1] = 3
        buffer[used + 2] = UInt8(truncatingIfNeeded: block >> 8)
        buffer[used + 3] = UInt8(truncatingIfNeeded: block)
        try fill(UnsafeMutableRawBufferPointer(rebasing: buffer[(used + 4)..<(used + 4 + count)]))
        used += 4 + count
        ends.append(used)
    }

    /// Queues DATA `block` carrying `bytes`.
    func queueData(block: UInt16, bytes: ArraySlice<UInt8>) {
        queueData(block: block, count: bytes.count) { destination in
            bytes.withUnsafeBytes { destination.copyMemory(from: $0) }
        }
    }

    /// Queues one whole packet (OACK, ERROR).
    func queue(_ packet: [UInt8]) {
        reserve(packet.count)
        packet.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: buffer[used...]).copyMemory(from: $0) }
        used += packet.count
        ends.append(used)
    }

    /// Makes room for `count` more bytes.
    private func reserve(_ count: Int) {
        guard used + count > buffer.count else { return }
        let larger = UnsafeMutableRawBufferPointer.allocate(byteCount: max(2 * buffer.count, used + count), alignment: 8)
        larger.copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[0..<used]))
        buffer.deallocate()
        buffer = larger
    }

    /// Sends what is queued. A send the kernel refuses for want of buffer space is left to the retransmit timer,
    /// as a packet lost on the wire would be.
    func flush() {
        defer {
            used = 0
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
            let sent = netroot_send_datagrams(descriptor, buffer.baseAddress! + start, UInt(end - start), 0, 0,
                                              UInt16(segmentSize))
            if sent >= 0 { return }
            // This path cannot segment (no checksum offload, an old kernel): never try again, send one by one.
            if errno == EIO || errno == EINVAL || errno == ENOPROTOOPT {
                Self.segmentation.store(false, ordering: .relaxed)
            } else {
                return
            }
        }
        for packet in packets {
            _ = netroot_send_datagrams(descriptor, buffer.baseAddress! + offset(of: packet), UInt(length(of: packet)),
                                       0, 0, 0)
        }
    }
}
