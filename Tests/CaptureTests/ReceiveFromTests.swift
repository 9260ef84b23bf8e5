import CSyscalls
import Glibc
import Testing

/// `netroot_receive_from` names the sender only from an address the kernel filled in.
@Suite struct ReceiveFromTests {
    /// Fills a stretch of the stack below the caller with 0xAA, so that a C local read before it is written
    /// shows up as 0xAAAA instead of a lucky zero.
    @inline(never)
    static func dirtyTheStack() {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 1024) { buffer in
            buffer.initialize(repeating: 0xAA)
            blackHole(buffer.baseAddress)
        }
    }

    @inline(never)
    static func blackHole(_ pointer: UnsafeMutablePointer<UInt8>?) { _ = pointer?.pointee }

    /// A datagram socket pair whose sender has no address: the kernel returns only a 2-byte AF_UNIX family.
    @Test func aSenderWithoutAnIPv4AddressReadsAsZero() throws {
        var pair: [Int32] = [-1, -1]
        try #require(socketpair(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0, &pair) == 0)
        defer { close(pair[0]); close(pair[1]) }
        for round in 0..<8 {
            try #require(send(pair[1], "hi", 2, 0) == 2)
            var address: UInt32 = 0xDEAD_BEEF
            var port: UInt16 = 0xBEEF
            var buffer = [UInt8](repeating: 0, count: 16)
            Self.dirtyTheStack()
            let count = netroot_receive_from(pair[0], &buffer, UInt(buffer.count), &address, &port)
            #expect(count == 2)
            #expect(address == 0, "round \(round)")
            #expect(port == 0, "round \(round): port 0x\(String(port, radix: 16)) came from uninitialised memory")
        }
    }

    @Test func anIPv4SenderIsNamedAndNothingWaitingLeavesTheOutputsAlone() throws {
        let loopback = UInt32(0x7F00_0001).bigEndian
        let receiving = netroot_transfer_socket(loopback)
        let sending = netroot_transfer_socket(loopback)
        try #require(receiving >= 0 && sending >= 0)
        defer { close(receiving); close(sending) }
        func port(of descriptor: Int32) -> UInt16 {
            var local = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
            }
            return local.sin_port
        }
        var address: UInt32 = 1
        var sender: UInt16 = 1
        var buffer = [UInt8](repeating: 0, count: 16)
        #expect(netroot_receive_from(receiving, &buffer, UInt(buffer.count), &address, &sender) == -1)
        #expect(errno == EAGAIN)
        #expect(address == 1 && sender == 1)

        try #require(netroot_connect(sending, loopback, port(of: receiving)) == 0)
        try #require(send(sending, "ok", 2, 0) == 2)
        #expect(netroot_receive_from(receiving, &buffer, UInt(buffer.count), &address, &sender) == 2)
        #expect(address == loopback)
        #expect(sender == port(of: sending))
    }
}
