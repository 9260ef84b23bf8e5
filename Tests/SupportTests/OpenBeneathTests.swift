import CSyscalls
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The TFTP and HTTP roots open files with openat2(RESOLVE_BENEATH); where that is missing (systemd's
/// RestrictSUIDSGID=, which the shipped unit's DynamicUser= implies, makes it ENOSYS: every file was "access
/// violation") the walk must decide exactly as openat2 does.
@Suite struct OpenBeneathTests {
    /// root/{kernel, sub/initrd, sub/up -> ../kernel, inside -> sub/initrd, out -> ../secret, abs -> /etc/hostname,
    /// loop -> loop, dirlink -> sub}, and secret beside root.
    private func tree() throws -> (base: String, root: Int32) {
        let base = NSTemporaryDirectory() + "beneath-\(UUID().uuidString)"
        let root = base + "/root"
        try FileManager.default.createDirectory(atPath: root + "/sub", withIntermediateDirectories: true)
        try Data("kernel".utf8).write(to: URL(fileURLWithPath: root + "/kernel"))
        try Data("initrd".utf8).write(to: URL(fileURLWithPath: root + "/sub/initrd"))
        try Data("secret".utf8).write(to: URL(fileURLWithPath: base + "/secret"))
        for (link, target) in [("sub/up", "../kernel"), ("inside", "sub/initrd"), ("out", "../secret"),
                               ("abs", "/etc/hostname"), ("loop", "loop"), ("dirlink", "sub")] {
            #expect(symlink(target, root + "/" + link) == 0)
        }
        let descriptor = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        try #require(descriptor >= 0)
        return (base, descriptor)
    }

    /// The file's content, or the errno.
    private func outcome(_ open: (Int32, UnsafePointer<CChar>?) -> Int32, _ root: Int32, _ path: String) -> String {
        let descriptor = open(root, path)
        guard descriptor >= 0 else { return "errno \(errno)" }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = read(descriptor, &buffer, buffer.count)
        return count >= 0 ? String(decoding: buffer[..<count], as: UTF8.self) : "a directory"
    }

    @Test(arguments: ["kernel", "sub/initrd", "./sub//initrd", "sub/../kernel", "sub/up", "inside", "dirlink/initrd",
                      "out", "abs", "/etc/hostname", "../root/kernel", "sub/../../secret", "loop", "missing",
                      "kernel/x"])
    func theWalkDecidesAsOpenat2Does(path: String) throws {
        let (base, root) = try tree()
        defer {
            close(root)
            try? FileManager.default.removeItem(atPath: base)
        }
        let walked = outcome(netroot_open_beneath_walk, root, path)
        let kernel = outcome(netroot_open_beneath, root, path)
        #expect(walked == kernel, "\(path): walk \(walked), openat2 \(kernel)")
    }

    @Test func escapesAreRefusedWithEXDEV() throws {
        let (base, root) = try tree()
        defer {
            close(root)
            try? FileManager.default.removeItem(atPath: base)
        }
        for path in ["out", "abs", "/etc/hostname", "../root/kernel", "sub/../../secret"] {
            #expect(netroot_open_beneath_walk(root, path) == -1 && errno == EXDEV, "\(path)")
        }
        #expect(outcome(netroot_open_beneath_walk, root, "sub/up") == "kernel")
        #expect(netroot_open_beneath_walk(root, "loop") == -1 && errno == ELOOP)
    }
}
