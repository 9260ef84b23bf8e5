import CSyscalls
import Inventory
import NIOCore
import NIOPosix
import Synchronization
import TFTP
#if canImport(Glibc)
import Glibc
#endif

/// A transfer's own UDP port, as two sockets: one connected to the client (its ACKs reach it without a route
/// lookup, and DATA leaves without one; `DatagramWriter` writes to it), and one that hears everyone else, so a
/// stranger's packet is answered with error 5 (RFC 1350 §4) and never reaches the transfer.
struct TransferPort: Sendable {
    let channel: Channel
    let descriptor: Int32
    let strangers: Channel

    /// Binds both sockets to a new port of `address` and registers them with one of `group`'s loops.
    static func open(address: IPv4Address, group: EventLoopGroup, counters: TFTPCounters) -> EventLoopFuture<TransferPort> {
        let loop = group.next()
        var sockets: [Int32] = [-1, -1]
        guard netroot_transfer_socket_pair(address.value.bigEndian, &sockets) == 0 else {
            return loop.makeFailedFuture(IOError(errnoCode: errno, reason: "sockets for a transfer"))
        }
        let descriptor = sockets[0]
        // A transfer's socket reads one datagram per wake-up: a client in lock-step (or at the end of a window)
        // has sent one packet and waits, so a second read would only cost a recvmsg that returns EAGAIN.
        let transfer = DatagramBootstrap(group: loop).channelOption(.maxMessagesPerRead, value: 1)
            .withBoundSocket(descriptor)
        let strangers = DatagramBootstrap(group: loop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(StrangerHandler(counters: counters))
                }
            }
            .withBoundSocket(sockets[1])
        return transfer.and(strangers).map { TransferPort(channel: $0, descriptor: descriptor, strangers: $1) }
    }

    /// Connects the transfer's socket to `client`, before anything is sent to it.
    func connect(to client: SocketAddress) throws {
        guard case .v4(let v4) = client else { throw IOError(errnoCode: EAFNOSUPPORT, reason: "connect") }
        guard netroot_connect(descriptor, v4.address.sin_addr.s_addr, v4.address.sin_port) == 0 else {
            throw IOError(errnoCode: errno, reason: "connect")
        }
    }

    func close() {
        channel.close(promise: nil)
        strangers.close(promise: nil)
    }
}

/// The port's other socket: whatever arrives there is from an unknown transfer ID.
final class StrangerHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let counters: TFTPCounters

    init(counters: TFTPCounters) { self.counters = counters }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        counters.update { $0.unknownTransferID += 1 }
        // An error answers nothing (RFC 1350 §7 forbids acknowledging one); anything else hears error 5.
        if envelope.data.getInteger(at: envelope.data.readerIndex, as: UInt16.self) == 5 { return }
        let bytes = TFTPPacket.error(.unknownTransferID, "unknown transfer ID").encoded
        var buffer = context.channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        context.writeAndFlush(wrapOutboundOut(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: buffer)),
                              promise: nil)
    }
}

/// Writes one transfer's packets straight to its socket: the DATA packets of a window are laid back to back in
/// one reused buffer and leave with one sendmsg, split into datagrams by the kernel (UDP segmentation offload).
/// No allocation, pipeline or syscall per packet, which is what a TFTP server's throughput is made of.
///
/// Use only on the transfer's event loop, and only while its channel is open (the channel owns the descriptor).
struct DatagramWriter {
    /// Cleared for the whole process the first time a path refuses segmentation; packets then go one by one.
    static let segmentation = Atomic<Bool>(true)
    /// The kernel's limits: UDP_MAX_SEGMENTS, and one IPv4 packet's worth of payload.
    private static let maximumSegments = 64
    private static let maximumPayload = 65_507

    private let descriptor: Int32
    private let address: UInt32
    private let port: UInt16
    private var buffer: [UInt8] = []
    /// Where each queued packet ends in `buffer`.
    private var ends: [Int] = []

    /// `client` in network byte order; address 0 writes to the socket's connected peer.
    init(descriptor: Int32, clientAddress: UInt32, clientPort: UInt16, capacity: Int) {
        self.descriptor = descriptor
        address = clientAddress
        port = clientPort
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
                netroot_send_datagrams(descriptor, bytes.baseAddress! + start, UInt(end - start), address, port,
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
                                       address, port, 0)
            }
        }
    }
}
