import Foundation
import Support
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Files under state_dir: created exclusively and 0600 whatever the umask, never through a planted link.
@Suite struct PrivateFileTests {
    private func directory() throws -> String {
        let path = NSTemporaryDirectory() + "private-file-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        return path
    }

    private func mode(_ path: String) -> mode_t {
        var status = stat()
        _ = lstat(path, &status)
        return status.st_mode & 0o7777
    }

    @Test func aReplacedFileIs0600EvenUnderAPermissiveUmask() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let previous = umask(0)
        defer { umask(previous) }
        try PrivateFile.replace(dir + "/leases.outbox", with: Array("a\n".utf8))
        #expect(mode(dir + "/leases.outbox") == 0o600)
        #expect(try PrivateFile.read(dir + "/leases.outbox") == Array("a\n".utf8))
    }

    @Test func aLinkPlantedAtTheTemporaryNameIsRemovedNotFollowed() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let victim = dir + "/victim"
        try Data("keep".utf8).write(to: URL(fileURLWithPath: victim))
        #expect(symlink(victim, dir + "/discovered.json.tmp") == 0)
        try PrivateFile.replace(dir + "/discovered.json", with: Array("new".utf8))
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "keep")
        #expect(try PrivateFile.read(dir + "/discovered.json") == Array("new".utf8))
        #expect(!FileManager.default.fileExists(atPath: dir + "/discovered.json.tmp"))
    }

    @Test func readingRefusesALinkAndReportsAMissingFileAsNil() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try PrivateFile.read(dir + "/absent") == nil)
        try Data("secret".utf8).write(to: URL(fileURLWithPath: dir + "/elsewhere"))
        #expect(symlink(dir + "/elsewhere", dir + "/leases.journal") == 0)
        #expect(throws: PrivateFile.Failure.self) { try PrivateFile.read(dir + "/leases.journal") }
        #expect(throws: PrivateFile.Failure.self) { try PrivateFile.openForAppend(dir + "/leases.journal") }
    }

    @Test func appendingMakesAnOlder0644File0600() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/leases.journal"
        #expect(FileManager.default.createFile(atPath: path, contents: Data(), attributes: [.posixPermissions: 0o644]))
        let descriptor = try PrivateFile.openForAppend(path)
        close(descriptor)
        #expect(mode(path) == 0o600)
    }
}

/// state_dir: created 0700, refused when another user owns it or others may write in it.
@Suite struct StateDirectoryTests {
    @Test func aMissingStateDirectoryIsCreated0700() throws {
        let path = NSTemporaryDirectory() + "state-\(UUID().uuidString)/state"
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let previous = umask(0)
        defer { umask(previous) }
        try StateDirectory.prepare(path)
        var status = stat()
        #expect(stat(path, &status) == 0)
        #expect(status.st_mode & 0o7777 == 0o700)
    }

    @Test func aWorldWritableStateDirectoryIsRefusedWithTheReason() throws {
        let path = NSTemporaryDirectory() + "state-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(chmod(path, 0o1777) == 0)
        let error = #expect(throws: StateDirectory.Refusal.self) { try StateDirectory.prepare(path) }
        #expect(error?.description.contains("mode 1777") == true)
        #expect(error?.description.contains("chmod go-w") == true)
        #expect(chmod(path, 0o755) == 0)
        try StateDirectory.prepare(path)
    }

    @Test func aDirectoryOwnedByAnotherUserIsRefused() throws {
        let path = NSTemporaryDirectory() + "state-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = #expect(throws: StateDirectory.Refusal.self) {
            try StateDirectory.prepare(path, user: geteuid() + 1)
        }
        #expect(error?.description.contains("owned by uid \(geteuid())") == true)
        #expect(StateDirectory.problem(mode: S_IFDIR | 0o700, owner: 0, user: 0) == nil)
        #expect(StateDirectory.problem(mode: S_IFDIR | 0o770, owner: 0, user: 0) != nil)
        #expect(StateDirectory.problem(mode: S_IFREG | 0o700, owner: 0, user: 0) == "it is not a directory")
    }
}
