import CSyscalls
#if canImport(Glibc)
import Glibc
#endif

/// Sends raw Ethernet frames on one interface through a send-only packet socket. Sendable: each frame is one
/// sendto(2) on a descriptor that never changes.
public final class RawFrameSender: Sendable {
    private let descriptor: Int32
    public let interface: String

    public init(interface: String) throws {
        // Not a libpcap handle: the kernel would hand it (and run its filter on) every packet the interface
        // receives, TFTP ACKs included, on whichever CPU receives them.
        descriptor = netroot_frame_sender(interface)
        guard descriptor >= 0 else {
            throw CaptureError(description: "packet socket on \(interface): \(String(cString: strerror(errno)))")
        }
        self.interface = interface
    }

    deinit { close(descriptor) }

    /// Returns false when the frame was not sent whole.
    @discardableResult
    public func send(_ frame: [UInt8]) -> Bool {
        frame.withUnsafeBytes { buffer in
            netroot_send_frame(descriptor, buffer.baseAddress, UInt(buffer.count)) == buffer.count
        }
    }
}
