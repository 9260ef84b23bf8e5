import CSyscalls
import Foundation
import Testing
@testable import TFTPServer

/// The writer on real sockets over loopback: whatever it groups into one segmented send must arrive as the
/// same datagrams, in order, as sending them one by one would give.
@Suite struct DatagramWriterTests {
    static let loopback = UInt32(0x7F00_0001)

    /// A receiving socket on 127.0.0.1 and its port (network byte order).
    func receiver() throws -> (descriptor: Int32, port: UInt16) {
        let descriptor = netroot_transfer_socket(Self.loopback.bigEndian)
        try #require(descriptor >= 0)
        var buffer = Int32(8 << 20)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVBUFFORCE, &buffer, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return (descriptor, address.sin_port)
    }

    /// Every datagram waiting on `descriptor`.
    func datagrams(on descriptor: Int32) -> [[UInt8]] {
        var received: [[UInt8]] = []
        var buffer = [UInt8](repeating: 0, count: 70_000)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if count < 0 { return received }
            received.append(Array(buffer[0..<count]))
        }
    }

    @Test(arguments: [(blocks: 16, size: 1468, lastShort: true), (blocks: 70, size: 512, lastShort: false),
                      (blocks: 50, size: 1468, lastShort: true), (blocks: 1, size: 8, lastShort: true)])
    func aWindowArrivesAsSeparateDataPackets(blocks: Int, size: Int, lastShort: Bool) throws {
        let (receiving, port) = try receiver()
        defer { close(receiving) }
        let sending = netroot_transfer_socket(Self.loopback.bigEndian)
        try #require(sending >= 0)
        defer { close(sending) }
        try #require(netroot_connect(sending, Self.loopback.bigEndian, port) == 0)
        let writer = DatagramWriter(descriptor: sending, capacity: 0)
        var expected: [[UInt8]] = [[0, 6] + Array("blksize".utf8) + [0] + Array("\(size)".utf8) + [0]]
        writer.queue(expected[0])
        for block in 1...blocks {
            let count = block == blocks && lastShort ? size / 3 : size
            let bytes = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ block) }
            writer.queueData(block: UInt16(block), bytes: bytes[...])
            expected.append([0, 3, UInt8(block >> 8), UInt8(block & 0xFF)] + bytes)
        }
        writer.flush()
        #expect(datagrams(on: receiving) == expected)
        // The buffer is reused: a second window arrives alone.
        writer.queueData(block: 99, bytes: [1, 2, 3][...])
        writer.flush()
        #expect(datagrams(on: receiving) == [[0, 3, 0, 99, 1, 2, 3]])
    }
}
