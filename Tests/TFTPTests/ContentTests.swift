import Foundation
import TFTP
import Testing

/// The bytes a transfer reads: whole or refused, never short, never a mix of two versions.
@Suite struct ContentTests {
    let directory: String

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("nr-content-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    /// A root that never caches, so every open reads from a descriptor.
    func uncached() throws -> RootDirectory {
        try RootDirectory(path: directory, cacheFileLimit: 0, cacheCapacity: 0, inlineReadLimit: 0)
    }

    func write(_ name: String, _ bytes: [UInt8]) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: directory + "/" + name))
    }

    static func pattern(_ count: Int, seed: UInt8 = 0) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31) &+ seed } }

    @Test func aFileShortenedWhileOpenIsAReadErrorNotAShortBlock() throws {
        try write("initrd", Self.pattern(8192))
        let content = try uncached().open("initrd").get()
        #expect(try content.bytes(from: 0, count: 512) == Array(Self.pattern(8192)[0..<512]))
        truncate(directory + "/initrd", 700)
        #expect(throws: TFTPReadError.self) { try content.bytes(from: 512, count: 512) }
    }

    @Test func aFileRewrittenInPlaceIsRefused() throws {
        try write("vmlinuz", Self.pattern(4 << 20))
        let content = try uncached().open("vmlinuz").get()
        _ = try content.bytes(from: 0, count: 512)
        // Same size, same inode, other bytes: what `cp new vmlinuz` leaves behind.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: directory + "/vmlinuz"))
        try handle.write(contentsOf: Data(Self.pattern(4 << 20, seed: 7)))
        try handle.close()
        // The kernel's clock is coarse: a rewrite within the same tick as the open could keep the mtime.
        var times = [timespec(tv_sec: 1, tv_nsec: 0), timespec(tv_sec: 1, tv_nsec: 0)]
        _ = utimensat(AT_FDCWD, directory + "/vmlinuz", &times, 0)
        #expect(throws: TFTPReadError.self) { try content.bytes(from: 0, count: 4 << 20) }
    }

    @Test func aFileRenamedOverKeepsServingTheVersionOpened() throws {
        let old = Self.pattern(3 << 20)
        try write("initrd.img", old)
        let root = try uncached()
        let content = try root.open("initrd.img").get()
        try write("initrd.new", Self.pattern(3 << 20, seed: 9))
        rename(directory + "/initrd.new", directory + "/initrd.img")
        #expect(try content.bytes() == old)
        #expect(try root.open("initrd.img").get().bytes() == Self.pattern(3 << 20, seed: 9))
    }

    @Test func aLargeFileIsServedBeforeItIsCachedAndCachedForTheNext() async throws {
        let bytes = Self.pattern(3 << 20)
        try write("big", bytes)
        let root = try RootDirectory(path: directory, inlineReadLimit: 1 << 20)
        let first = try root.open("big").get()
        #expect(first is DescriptorContent)
        #expect(try first.bytes() == bytes)
        var cached = false
        for _ in 0..<200 where !cached {
            cached = try root.open("big").get() is MemoryContent
            if !cached { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(cached)
        #expect(try root.open("big").get().bytes() == bytes)
    }

    /// RFC 1350's netascii, the plain way, to judge the streaming one by.
    static func reference(_ bytes: [UInt8]) -> [UInt8] {
        bytes.flatMap { byte -> [UInt8] in byte == 10 ? [13, 10] : byte == 13 ? [13, 0] : [byte] }
    }

    @Test(arguments: [1, 7, 512, 1468])
    func netasciiMatchesTheReferenceBlockByBlockAndOnRetransmission(blockSize: Int) throws {
        var generator = SystemRandomNumberGenerator()
        let source = (0..<20_000).map { _ in [UInt8(10), 13, 65, 66, 0][Int(generator.next() % 5)] }
        let expected = Self.reference(source)
        let content = try NetasciiContent(converting: MemoryContent(source))
        #expect(content.size == expected.count)
        var offset = 0
        var received: [UInt8] = []
        while offset < expected.count {
            let count = min(blockSize, expected.count - offset)
            received += try content.bytes(from: offset, count: count)
            // A lost window: go back up to four blocks and read them again.
            if offset > 4 * blockSize, offset % (5 * blockSize) == 0 {
                let back = offset - 3 * blockSize
                #expect(try content.bytes(from: back, count: blockSize) == Array(expected[back..<(back + blockSize)]))
            }
            offset += count
        }
        #expect(received == expected)
        // Far back, past what it remembers: still right.
        #expect(try content.bytes(from: 1, count: 3) == Array(expected[1..<4]))
    }

    @Test func netasciiOfAFileThatShrinksFailsInsteadOfPadding() throws {
        try write("notes.txt", Array(repeating: 10, count: 200_000))
        let content = try NetasciiContent(converting: try uncached().open("notes.txt").get())
        #expect(content.size == 400_000)
        truncate(directory + "/notes.txt", 1000)
        #expect(throws: TFTPReadError.self) { try content.bytes(from: 4000, count: 512) }
    }
}

@Suite struct TransferAbortTests {
    @Test func aReadFailureEndsTheTransferWithAnErrorToTheClient() {
        var transfer = Transfer(size: 4096, options: TransferOptions(), now: .now)
        _ = transfer.start(now: .now)
        let actions = transfer.abort(reason: "file shortened")
        #expect(actions == [.sendError(.notDefined, "cannot read the file"), .finish(.failed(reason: "file shortened"))])
        #expect(transfer.isFinished)
        #expect(transfer.abort(reason: "again").isEmpty)
    }
}
