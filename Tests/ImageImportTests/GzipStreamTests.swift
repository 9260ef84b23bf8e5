import CZlib
@testable import ImageImport
import Testing

/// `GzipStream` through many input chunks and odd read sizes: zlib keeps a pointer to the stream between calls,
/// so the stream must stay where it was initialised for the whole read.
@Suite struct GzipStreamTests {
    /// `count` bytes that barely compress, so the compressed form spans several 64 KiB input chunks.
    static func noise(_ count: Int) -> [UInt8] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
    }

    /// zlib-format data (the stream detects zlib and gzip headers alike).
    static func compressed(_ bytes: [UInt8]) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: Int(compressBound(uLong(bytes.count))))
        var length = uLongf(output.count)
        try #require(compress2(&output, &length, bytes, uLong(bytes.count), 6) == Z_OK)
        return Array(output[..<Int(length)])
    }

    @Test(arguments: [1, 999, 65536, 200_000])
    func decompressesAcrossInputChunks(readSize: Int) throws {
        let original = Self.noise(300_000) + [UInt8](repeating: 7, count: 100_000)
        let stream = try GzipStream(MemoryStream(try Self.compressed(original)))
        var out: [UInt8] = []
        while true {
            let chunk = try stream.read(readSize)
            out += chunk
            if chunk.count < readSize { break }
        }
        #expect(out.count == original.count)
        #expect(out == original)
        #expect(try stream.read(10).isEmpty)
    }

    @Test func corruptAndTruncatedDataThrow() throws {
        var damaged = try Self.compressed(Self.noise(10_000))
        damaged[damaged.count / 2] ^= 0xFF
        damaged[damaged.count / 2 + 1] ^= 0xFF
        #expect(throws: ArchiveError.self) {
            let stream = try GzipStream(MemoryStream(damaged))
            while try !stream.read(4096).isEmpty {}
        }
        let cut = Array(try Self.compressed(Self.noise(10_000)).prefix(5000))
        #expect(throws: ArchiveError("the gzip stream is truncated")) {
            let stream = try GzipStream(MemoryStream(cut))
            while try !stream.read(4096).isEmpty {}
        }
    }

    @Test func manyStreamsOpenAtOnceStayIndependent() throws {
        let originals = (0..<8).map { Self.noise(20_000 + $0 * 1000) }
        let streams = try originals.map { try GzipStream(MemoryStream(try Self.compressed($0))) }
        var outputs = [[UInt8]](repeating: [], count: streams.count)
        var open = true
        while open {
            open = false
            for (index, stream) in streams.enumerated() {
                let chunk = try stream.read(777)
                outputs[index] += chunk
                if !chunk.isEmpty { open = true }
            }
        }
        #expect(outputs == originals)
    }
}
