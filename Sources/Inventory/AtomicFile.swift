import Foundation
import Support

/// Replaces a file so that a reader (a running serve) sees the old content or the new, never half of either.
public enum AtomicFile {
    /// Why a file could not be replaced, with the system's reason.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// Writes a temporary file in the same directory (an existing file's mode and owner kept, else `mode`), syncs
    /// it, renames it over `path` and syncs the directory, so the rename survives a crash too.
    public static func replace(_ path: String, with bytes: [UInt8], mode: mode_t = 0o644) throws(Failure) {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        var template = Array((directory + "/." + url.lastPathComponent + ".XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw failure("cannot create a temporary file in \(directory)") }
        let temporary = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var original = stat()
        if stat(path, &original) == 0 {
            fchmod(descriptor, original.st_mode & 0o7777)
            _ = fchown(descriptor, original.st_uid, original.st_gid)
        } else {
            fchmod(descriptor, mode)
        }
        do {
            try PrivateFile.commit(descriptor, temporary: temporary, replacing: path, with: bytes)
        } catch {
            throw Failure(description: error.description)
        }
    }

    private static func failure(_ what: String) -> Failure {
        Failure(description: "\(what): \(String(cString: strerror(errno)))")
    }
}
