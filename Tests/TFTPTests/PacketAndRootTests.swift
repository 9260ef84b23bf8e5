import Foundation
import TFTP
import Testing

@Suite struct PacketTests {
    /// The read request pxelinux 6.04 sends (FIRMWARE-FACTS: `tsize=0 blksize=1408`).
    @Test func parsesAPxelinuxRequest() throws {
        let bytes: [UInt8] = [0, 1] + Array("pxelinux.cfg/01-52-54-00-c0-ff-01".utf8) + [0] + Array("octet".utf8) + [0]
            + Array("tsize".utf8) + [0, 0x30, 0] + Array("blksize".utf8) + [0] + Array("1408".utf8) + [0]
        let packet = try TFTPPacket(parsing: ArraySlice(bytes))
        #expect(packet == .readRequest(filename: "pxelinux.cfg/01-52-54-00-c0-ff-01", mode: "octet",
                                       options: [TFTPOption("tsize", "0"), TFTPOption("blksize", "1408")]))
        #expect(packet.encoded == bytes)
    }

    @Test func malformedPacketsAreRefusedWithAReason() {
        #expect(throws: TFTPParseError.tooShort) { try TFTPPacket(parsing: [0]) }
        #expect(throws: TFTPParseError.unknownOpcode(9)) { try TFTPPacket(parsing: [0, 9, 0, 0]) }
        #expect(throws: TFTPParseError.missingTerminator) { try TFTPPacket(parsing: ArraySlice([0, 1] + Array("file".utf8))) }
        #expect(throws: TFTPParseError.optionWithoutValue) {
            try TFTPPacket(parsing: ArraySlice([0, 1] + Array("f\0octet\0blksize\0".utf8)))
        }
        #expect(throws: TFTPParseError.emptyFileName) { try TFTPPacket(parsing: ArraySlice([0, 1, 0] + Array("octet\0".utf8))) }
    }

    @Test func netasciiConversion() throws {
        #expect(try NetasciiContent(converting: MemoryContent(Array("a\nb\rc".utf8))).bytes() == Array("a\r\nb\r\0c".utf8))
    }
}

@Suite struct RootDirectoryTests {
    let root: String
    let outside: String

    init() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("nr-tftp-\(UUID().uuidString)").path
        root = base + "/root"
        outside = base + "/secret"
        try FileManager.default.createDirectory(atPath: root + "/debian12", withIntermediateDirectories: true)
        try "kernel".write(toFile: root + "/debian12/vmlinuz", atomically: true, encoding: .utf8)
        try "secret".write(toFile: outside, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: root + "/escape", withDestinationPath: outside)
        try FileManager.default.createSymbolicLink(atPath: root + "/current", withDestinationPath: "debian12")
        try FileManager.default.createSymbolicLink(atPath: root + "/absolute", withDestinationPath: root + "/debian12/vmlinuz")
    }

    func read(_ name: String) throws -> Result<String, TFTPRefusal> {
        try RootDirectory(path: root).open(name).map { String(decoding: try! $0.bytes(), as: UTF8.self) }
    }

    @Test func servesFilesAndSymlinksInsideTheRoot() throws {
        #expect(try read("debian12/vmlinuz") == .success("kernel"))
        #expect(try read("/debian12/vmlinuz") == .success("kernel"))
        #expect(try read("\\debian12/vmlinuz") == .success("kernel"))
        #expect(try read("current/vmlinuz") == .success("kernel"))
    }

    @Test(arguments: ["../secret", "debian12/../../secret", "escape", "absolute", "debian12\\..\\..\\secret", "debian12",
                      "/", "dev/null"])
    func refusesEscapesDirectoriesAndDevices(name: String) throws {
        let result = try read(name)
        guard case .failure(let refusal) = result else {
            Issue.record("\(name) was served")
            return
        }
        #expect(refusal == .accessViolation || refusal == .notFound)
        #expect(!refusal.message.contains("/"), "messages never reveal server paths")
    }

    @Test func missingFileIsNotFound() throws {
        #expect(try read("debian12/initrd.img") == .failure(.notFound))
    }

    @Test func aChangedFileIsReadAgain() throws {
        let directory = try RootDirectory(path: root)
        let first = try directory.open("debian12/vmlinuz").get()
        #expect(first.size == 6)
        try "kernel v2".write(toFile: root + "/debian12/vmlinuz", atomically: true, encoding: .utf8)
        let second = try directory.open("debian12/vmlinuz").get()
        #expect(String(decoding: try second.bytes(), as: UTF8.self) == "kernel v2")
    }
}
