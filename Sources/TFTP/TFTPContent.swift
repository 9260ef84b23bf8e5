import Foundation

/// Why a file's bytes could not be given to a transfer: it must then end with an error, never with a short block.
public struct TFTPReadError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }
}

/// The bytes of one file being served.
public protocol TFTPContent: Sendable {
    var size: Int { get }
    /// Fills all of `destination` with the bytes from `offset` on (callers never ask past `size`). Throws when the
    /// file cannot give them: a read error, or a file shortened or rewritten since it was opened.
    func read(into destination: UnsafeMutableRawBufferPointer, from offset: Int) throws
}

extension TFTPContent {
    /// Up to `count` bytes from `offset` (fewer at the end of the file), as an array: for tests and small files.
    public func bytes(from offset: Int = 0, count: Int? = nil) throws -> [UInt8] {
        let start = min(max(0, offset), size)
        let wanted = min(count ?? size, size - start)
        var bytes = [UInt8](repeating: 0, count: wanted)
        try bytes.withUnsafeMutableBytes { buffer in try read(into: buffer, from: start) }
        return bytes
    }
}

/// A file held in memory: hot files (kernels, initrds, bootloaders) and generated configs.
public struct MemoryContent: TFTPContent {
    public let bytes: [UInt8]

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public var size: Int { bytes.count }

    public func read(into destination: UnsafeMutableRawBufferPointer, from offset: Int) throws {
        guard offset >= 0, offset + destination.count <= bytes.count else {
            throw TFTPReadError("read past the end of a \(bytes.count)-byte file")
        }
        guard destination.count > 0 else { return }
        bytes.withUnsafeBytes { source in
            destination.baseAddress!.copyMemory(from: source.baseAddress! + offset, byteCount: destination.count)
        }
    }
}

/// A file read with pread as blocks are sent. The transfer reads the file it opened (the descriptor keeps it, even
/// when an import renames a new one over it); a file rewritten or shortened in place is noticed and refused,
/// so a node never gets a mix of two versions or a short file taken for a whole one.
public final class DescriptorContent: TFTPContent, @unchecked Sendable {
    private let descriptor: Int32
    private let identity: FileIdentity
    public var size: Int { identity.size }

    /// How far apart the checks for an in-place rewrite are: one fstat per MiB costs nothing next to the sends.
    private static let checkInterval = 1 << 20

    /// Takes ownership of `descriptor`, a regular file whose fstat gave `identity`.
    init(descriptor: Int32, identity: FileIdentity) {
        self.descriptor = descriptor
        self.identity = identity
    }

    deinit { close(descriptor) }

    public func read(into destination: UnsafeMutableRawBufferPointer, from offset: Int) throws {
        guard offset >= 0, offset + destination.count <= identity.size else {
            throw TFTPReadError("read past the end of a \(identity.size)-byte file")
        }
        var done = 0
        while done < destination.count {
            let got = pread(descriptor, destination.baseAddress! + done, destination.count - done, off_t(offset + done))
            if got < 0 {
                if errno == EINTR { continue }
                throw TFTPReadError("read error at byte \(offset + done): \(String(cString: strerror(errno)))")
            }
            guard got > 0 else {
                throw TFTPReadError("file shortened while being sent: no byte at \(offset + done) of \(identity.size)")
            }
            done += got
        }
        // A rewrite in place keeps the inode: the size or modification time tells it.
        let end = offset + destination.count
        if end == identity.size || offset / Self.checkInterval != end / Self.checkInterval {
            guard let now = FileIdentity(descriptor: descriptor), now == identity else {
                throw TFTPReadError("file changed on disk while being sent")
            }
        }
    }
}

