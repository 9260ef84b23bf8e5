import NIOCore
import NIOPosix

extension DatagramBootstrap {
    /// Binds 0.0.0.0:`port` with SO_BINDTODEVICE `interface`, so the socket hears and sends only there,
    /// then adds `handler`. The option is set in the initializer: after the socket exists, before bind.
    ///
    /// `receiveBuffer` bytes of socket buffer absorb a boot storm's bursts; as root it is forced past
    /// `net.core.rmem_max` (SO_RCVBUFFORCE), otherwise the kernel's limit applies.
    public func bind(toDevice interface: String, port: Int, receiveBuffer: Int32 = 0,
                     handler: @escaping @Sendable @autoclosure () -> some ChannelHandler & Sendable) async throws -> Channel {
        let name = InterfaceName(interface)
        return try await channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelInitializer { channel in
                let options = channel as! SocketOptionProvider
                var ready = options.unsafeSetSocketOption(level: SocketOptionLevel(SOL_SOCKET),
                                                          name: SocketOptionName(SO_BINDTODEVICE), value: name.bytes)
                if receiveBuffer > 0 {
                    ready = ready.flatMap {
                        options.unsafeSetSocketOption(level: SocketOptionLevel(SOL_SOCKET),
                                                      name: SocketOptionName(SO_RCVBUFFORCE), value: receiveBuffer)
                            .flatMapError { _ in
                                options.unsafeSetSocketOption(level: SocketOptionLevel(SOL_SOCKET),
                                                              name: SocketOptionName(SO_RCVBUF), value: receiveBuffer)
                            }
                    }
                }
                return ready.flatMapThrowing { try channel.pipeline.syncOperations.addHandler(handler()) }
            }
            .bind(host: "0.0.0.0", port: port).get()
    }
}

/// IFNAMSIZ bytes, NUL padded, as SO_BINDTODEVICE takes them; a tuple is Sendable where a pointer is not.
public struct InterfaceName: Sendable {
    public typealias Bytes = (CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar,
                              CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar)
    public let bytes: Bytes

    public init(_ name: String) {
        var bytes: Bytes = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &bytes) { buffer in
            for (index, byte) in name.utf8.prefix(15).enumerated() { buffer[index] = byte }
        }
        self.bytes = bytes
    }
}
