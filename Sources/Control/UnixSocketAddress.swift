#if canImport(Glibc)
import Glibc
#endif

/// A `sockaddr_un` for a path, for the control socket's client and for sd_notify. A leading `@` names the
/// abstract namespace (as systemd writes NOTIFY_SOCKET).
public struct UnixSocketAddress {
    private var address = sockaddr_un()
    private let length: socklen_t

    /// Nil when the path does not fit.
    public init?(_ path: String) {
        var bytes = Array(path.utf8)
        let abstract = bytes.first == UInt8(ascii: "@")
        if abstract { bytes[0] = 0 }
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return nil }
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) } // NUL-padded already
        // A path counts its terminating NUL; an abstract name is exactly its bytes.
        length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (abstract ? 0 : 1))
    }

    public func withSockaddr<Result>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> Result) -> Result {
        withUnsafePointer(to: address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) }
        }
    }
}
