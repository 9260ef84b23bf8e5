import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Files netroot keeps for itself under `state_dir` (the lease journal and outbox, discovered.json, nfs-ganesha's
/// configuration): read without following a symbolic link, and written through a temporary file created
/// exclusively (`O_EXCL | O_NOFOLLOW`), mode 0600, so a link planted where a file is expected is refused rather
/// than followed, and nothing netroot writes is readable by others whatever the umask.
public enum PrivateFile {
    /// Why a file could not be read or created, with the system's reason.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// The whole file, or nil when there is none. A symbolic link, a directory or a device is refused.
    public static func read(_ path: String) throws(Failure) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        if descriptor < 0 {
            if errno == ENOENT { return nil }
            throw failure("cannot read \(path)", symlinkHint: errno == ELOOP)
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            throw Failure(description: "cannot read \(path): not a regular file")
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(status.st_size))
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { throw failure("cannot read \(path)") }
            if count == 0 { return bytes }
            bytes += chunk[..<count]
        }
    }

    /// Creates `path` for writing, exclusively and 0600, never through a symbolic link. A file already there (a
    /// temporary left by a crash) is removed first: unlinking a planted link removes the link, not its target.
    public static func createExclusive(_ path: String, flags: Int32 = O_WRONLY) throws(Failure) -> Int32 {
        for attempt in 0..<2 {
            let descriptor = open(path, flags | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            if descriptor >= 0 {
                _ = fchmod(descriptor, 0o600) // whatever the umask
                return descriptor
            }
            guard errno == EEXIST, attempt == 0, unlink(path) == 0 else { break }
        }
        throw failure("cannot create \(path)")
    }

    /// Opens an existing file of netroot's for appending (creating it 0600), never through a symbolic link.
    public static func openForAppend(_ path: String) throws(Failure) -> Int32 {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw failure("cannot open \(path)", symlinkHint: errno == ELOOP) }
        _ = fchmod(descriptor, 0o600) // one an older netroot left 0644
        return descriptor
    }

    /// Replaces `path` whole: a new file beside it (`createExclusive`), written, fsynced, renamed over it, and
    /// the directory fsynced, so a reader sees the old content or the new and a crash keeps one of them.
    public static func replace(_ path: String, with bytes: [UInt8]) throws(Failure) {
        let temporary = path + ".tmp"
        try commit(createExclusive(temporary), temporary: temporary, replacing: path, with: bytes)
    }

    /// The second half of a replacement, for any temporary file already open as `descriptor`: writes `bytes`,
    /// fsyncs and closes it, renames it over `path` and fsyncs the directory. On failure the temporary is gone.
    public static func commit(_ descriptor: Int32, temporary: String, replacing path: String,
                              with bytes: [UInt8]) throws(Failure) {
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else {
                let error = failure("cannot write \(temporary)")
                close(descriptor)
                unlink(temporary)
                throw error
            }
            written += count
        }
        guard fsync(descriptor) == 0, close(descriptor) == 0 else {
            let error = failure("cannot sync \(temporary)")
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let error = failure("cannot replace \(path)")
            unlink(temporary)
            throw error
        }
        syncDirectory(of: path)
    }

    /// fsyncs the directory holding `path`, so a rename in it survives a crash.
    public static func syncDirectory(of path: String) {
        let directory = (path as NSString).deletingLastPathComponent
        let descriptor = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }

    private static func failure(_ what: String, symlinkHint: Bool = false) -> Failure {
        let reason = symlinkHint ? "it is a symbolic link, which netroot does not follow in state_dir"
            : String(cString: strerror(errno))
        return Failure(description: "\(what): \(reason)")
    }
}
