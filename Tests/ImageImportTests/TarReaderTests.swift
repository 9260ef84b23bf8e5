import Foundation
@testable import ImageImport
import Testing

/// Archives written by GNU tar 1.34 (`--format=gnu`, `pax`, `ustar`) from one tree: a 121-character directory
/// path with a long file name inside, a symlink to that file, and `small` owned by 3000000:3000001.
@Suite("Tar reader on archives written by GNU tar")
struct TarReaderTests {
    static let longDirectory = String(repeating: "d", count: 60) + "/" + String(repeating: "e", count: 60)
    static let longFile = longDirectory + "/file-with-a-long-name-" + String(repeating: "f", count: 30) + ".txt"

    private func fixture(_ name: String) throws -> [UInt8] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/\(name)")
        return Array(try Data(contentsOf: url))
    }

    private func entries(_ bytes: [UInt8]) throws -> [TarEntry] {
        let reader = TarReader(MemoryStream(bytes))
        var entries: [TarEntry] = []
        while let entry = try reader.next() { entries.append(entry) }
        return entries
    }

    @Test("GNU long names and links (L/K records) and base-256 owners", arguments: ["gnu.tar", "pax.tar"])
    func longNamesAndLargeOwners(_ name: String) throws {
        let all = try entries(try fixture(name))
        let byPath = Dictionary(all.map { (try! RootExtractor.normalize($0.path) ?? ".", $0) }, uniquingKeysWith: { a, _ in a })
        let file = try #require(byPath[Self.longFile])
        #expect(file.kind == .file && file.size == 10)
        let link = try #require(byPath["link"])
        #expect(link.kind == .symlink && link.linkTarget == Self.longFile)
        let small = try #require(byPath["small"])
        #expect(small.uid == 3_000_000 && small.gid == 3_000_001 && small.mode == 0o644)
        #expect(byPath[Self.longDirectory]?.kind == .directory)
    }

    @Test("ustar splits a long path into prefix and name")
    func ustarPrefix() throws {
        let paths = try entries(try fixture("ustar.tar")).map(\.path)
        #expect(paths.contains(Self.longFile))
    }

    @Test("a changed header byte is a checksum error; a cut archive is truncated; neither traps")
    func damage() throws {
        var corrupt = try fixture("gnu.tar")
        corrupt[3] ^= 0x01
        #expect(throws: ArchiveError("the archive is corrupt (header checksum mismatch)")) { try entries(corrupt) }
        let whole = try fixture("gnu.tar")
        for cut in stride(from: 1, to: whole.count, by: 97) {
            let reader = TarReader(MemoryStream(Array(whole.prefix(cut))))
            do {
                while let entry = try reader.next() { if entry.kind == .file { try reader.skipContent() } }
            } catch let error as ArchiveError {
                #expect(error.description.contains("truncated") || error.description.contains("corrupt"))
            }
        }
    }

    @Test("paths with .. or a leading / are refused; ./ and empty components are dropped")
    func normalize() throws {
        #expect(try RootExtractor.normalize("./usr//bin/") == "usr/bin")
        #expect(try RootExtractor.normalize("./") == nil)
        #expect(throws: ArchiveError.self) { try RootExtractor.normalize("etc/../../x") }
        #expect(throws: ArchiveError.self) { try RootExtractor.normalize("/etc/passwd") }
    }

    @Test("image manifests: docker layer order; OCI index through to layer blobs; digests never become paths")
    func manifests() throws {
        let docker: Any = [["Config": "c.json", "Layers": ["a/layer.tar", "./b/layer.tar"]]]
        #expect(try ImageManifests.dockerLayers(docker) == ["a/layer.tar", "b/layer.tar"])
        let manifest: Any = ["layers": [["digest": "sha256:aa"], ["digest": "sha256:bb"]]]
        let index: Any = ["manifests": [["digest": "sha256:11", "platform": ["architecture": "arm64", "os": "linux"]],
                                        ["digest": "sha256:22", "platform": ["architecture": "amd64", "os": "linux"]]]]
        let layers = try ImageManifests.ociLayers(index: index) { $0 == "blobs/sha256/22" ? manifest : nil }
        #expect(layers == ["blobs/sha256/aa", "blobs/sha256/bb"])
        #expect(throws: ArchiveError.self) { try ImageManifests.path(of: "sha256:../../etc") }
    }
}

/// Bytes in memory as a stream.
final class MemoryStream: ByteStream {
    private let bytes: [UInt8]
    private var offset = 0
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    var position: Int64 { Int64(offset) }
    func read(_ count: Int) throws -> [UInt8] {
        let end = min(bytes.count, offset + count)
        defer { offset = end }
        return Array(bytes[offset..<end])
    }
}
