import CZlib
import Foundation

/// Sequential bytes from an archive: a file, a window of one, or the gunzipped form of either.
protocol ByteStream: AnyObject {
    /// Up to `count` bytes; fewer only at the end, none once it is reached.
    func read(_ count: Int) throws -> [UInt8]
    /// Bytes consumed from the underlying file so far, for progress.
    var position: Int64 { get }
}

/// Why an archive cannot be read.
public struct ArchiveError: Error, CustomStringConvertible, Equatable {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// `count` bytes of an open file from `offset` (the whole file, or one member of an outer archive).
final class FileWindow: ByteStream {
    private let descriptor: Int32
    private var offset: Int64
    private let end: Int64
    private let start: Int64

    init(descriptor: Int32, offset: Int64, count: Int64) {
        self.descriptor = descriptor
        self.offset = offset
        start = offset
        end = offset + count
    }

    var position: Int64 { offset - start }

    func read(_ count: Int) throws -> [UInt8] {
        let wanted = Int(min(Int64(count), end - offset))
        guard wanted > 0 else { return [] }
        var bytes = [UInt8](repeating: 0, count: wanted)
        var filled = 0
        while filled < wanted {
            let got = bytes.withUnsafeMutableBytes { buffer in
                pread(descriptor, buffer.baseAddress! + filled, wanted - filled, off_t(offset))
            }
            if got < 0, errno == EINTR { continue }
            guard got >= 0 else { throw ArchiveError("read failed: \(String(cString: strerror(errno)))") }
            if got == 0 { break }
            filled += got
            offset += Int64(got)
        }
        return filled == wanted ? bytes : Array(bytes[..<filled])
    }
}

/// gzip (or zlib) decompression of another stream, through zlib.
final class GzipStream: ByteStream {
    private let source: any ByteStream
    /// Allocated once and never moved: zlib keeps a pointer to it from init to inflateEnd (`&property` on a
    /// class may hand zlib a temporary copy).
    private let stream: UnsafeMutablePointer<z_stream>
    private var input: [UInt8] = []
    private var finished = false

    init(_ source: any ByteStream) throws {
        self.source = source
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        guard netroot_inflate_init_gzip(stream) == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw ArchiveError("cannot start gzip decompression")
        }
        self.stream = stream
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    var position: Int64 { source.position }

    func read(_ count: Int) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: count)
        var produced = 0
        while produced < count, !finished {
            if stream.pointee.avail_in == 0 {
                input = try source.read(65536)
                guard !input.isEmpty else { throw ArchiveError("the gzip stream is truncated") }
            }
            let status: Int32 = input.withUnsafeMutableBytes { inputBytes in
                output.withUnsafeMutableBytes { outputBytes in
                    if stream.pointee.avail_in == 0 {
                        stream.pointee.next_in = inputBytes.baseAddress!.assumingMemoryBound(to: Bytef.self)
                        stream.pointee.avail_in = uInt(inputBytes.count)
                    } else {
                        // Resume where the last call stopped within the same input chunk.
                        let used = inputBytes.count - Int(stream.pointee.avail_in)
                        stream.pointee.next_in = inputBytes.baseAddress!.assumingMemoryBound(to: Bytef.self) + used
                    }
                    stream.pointee.next_out = outputBytes.baseAddress!.assumingMemoryBound(to: Bytef.self) + produced
                    stream.pointee.avail_out = uInt(count - produced)
                    let status = inflate(stream, Z_NO_FLUSH)
                    produced = count - Int(stream.pointee.avail_out)
                    return status
                }
            }
            switch status {
            case Z_OK: continue
            case Z_STREAM_END: finished = true
            case Z_BUF_ERROR where stream.pointee.avail_in == 0: continue
            default: throw ArchiveError("the gzip data is corrupt (zlib \(status))")
            }
        }
        return produced == count ? output : Array(output[..<produced])
    }
}

/// Opens `path` as a stream, gunzipping it when it starts with the gzip magic.
func openStream(descriptor: Int32, offset: Int64, count: Int64) throws -> any ByteStream {
    let probe = FileWindow(descriptor: descriptor, offset: offset, count: count)
    let magic = try probe.read(2)
    let plain = FileWindow(descriptor: descriptor, offset: offset, count: count)
    return magic == [0x1f, 0x8b] ? try GzipStream(plain) : plain
}
