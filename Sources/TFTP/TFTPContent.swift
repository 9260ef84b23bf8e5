import Foundation

/// The bytes of one file being served.
public protocol TFTPContent: Sendable {
    var size: Int { get }
    /// Up to `count` bytes from `offset` (fewer at the end of the file).
    func read(offset: Int, count: Int) -> ArraySlice<UInt8>
}

/// A file held in memory: hot files (kernels, initrds, bootloaders) and generated configs.
public struct MemoryContent: TFTPContent {
    public let bytes: [UInt8]

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public var size: Int { bytes.count }

    public func read(offset: Int, count: Int) -> ArraySlice<UInt8> {
        let start = min(offset, bytes.count)
        return bytes[start..<min(bytes.count, start + count)]
    }

    /// RFC 1350 netascii: LF becomes CR LF, a lone CR becomes CR NUL.
    public func netascii() -> MemoryContent {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 16)
        for byte in bytes {
            switch byte {
            case 10: out += [13, 10]
            case 13: out += [13, 0]
            default: out.append(byte)
            }
        }
        return MemoryContent(out)
    }
}

/// A file too large to cache, read with pread as blocks are sent; the descriptor closes with the last reference.
public final class DescriptorContent: TFTPContent, @unchecked Sendable {
    private let descriptor: Int32
    public let size: Int

    init(descriptor: Int32, size: Int) {
        self.descriptor = descriptor
        self.size = size
    }

    deinit { close(descriptor) }

    public func read(offset: Int, count: Int) -> ArraySlice<UInt8> {
        let wanted = max(0, min(count, size - offset))
        var buffer = [UInt8](repeating: 0, count: wanted)
        let got = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, wanted, off_t(offset)) }
        return buffer[0..<max(0, got)]
    }
}
