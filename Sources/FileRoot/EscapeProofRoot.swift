import CSyscalls
import Glibc

/// Why a file beneath the root was not opened; never names a server path.
public enum FileRefusal: Error, Sendable, Equatable {
    /// No such file (or a directory on the way is missing).
    case notFound
    /// Outside the root (`..`, an absolute symlink, a link leading out), not a regular file, or not readable.
    case refused
    /// The process (EMFILE) or the system (ENFILE) has no descriptor left: a load problem, not the client's.
    case outOfDescriptors
}

/// A directory (`tftp_root`) that no request can escape: `..`, backslashes, NULs and symlinks leading outside are
/// refused (openat2 with RESOLVE_BENEATH), as are directories and device files. Used by TFTP and HTTP boot alike.
public final class EscapeProofRoot: Sendable {
    public let path: String
    private let descriptor: Int32

    /// A regular file under the root, opened read-only for the caller to read or sendfile from and close.
    public struct OpenedFile: Sendable {
        public let descriptor: Int32
        /// The path relative to the root, as normalized.
        public let relative: String
        public let size: Int
        public let identity: FileIdentity
    }

    /// The open failed: `path` is not a directory netroot can read.
    public struct OpenFailure: Error, CustomStringConvertible {
        public let description: String
    }

    public init(path: String) throws {
        self.path = path
        descriptor = Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw OpenFailure(description: "cannot open tftp_root \(path): \(String(cString: strerror(errno)))")
        }
    }

    deinit { close(descriptor) }

    /// A requested name as a path relative to the root, or nil when it must be refused. Leading `/` and `\`
    /// (some firmware sends them) are dropped; `..`, other backslashes and NULs are refused.
    public static func normalize(_ name: String) -> String? {
        let trimmed = name.drop { $0 == "/" || $0 == "\\" }
        guard !trimmed.isEmpty, !trimmed.contains("\\"), !trimmed.utf8.contains(0) else { return nil }
        var components: [Substring] = []
        for component in trimmed.split(separator: "/", omittingEmptySubsequences: true) {
            if component == "." { continue }
            if component == ".." { return nil }
            components.append(component)
        }
        return components.isEmpty ? nil : components.joined(separator: "/")
    }

    /// Opens `name` beneath the root, without reading it; the caller closes the descriptor.
    public func openFile(_ name: String) -> Result<OpenedFile, FileRefusal> {
        guard let relative = Self.normalize(name) else { return .failure(.refused) }
        let fd = netroot_open_beneath(descriptor, relative)
        guard fd >= 0 else {
            switch errno {
            case ENOENT, ENOTDIR: return .failure(.notFound)
            case EMFILE, ENFILE: return .failure(.outOfDescriptors)
            default: return .failure(.refused) // EXDEV (escape), ELOOP, EACCES, …
            }
        }
        var status = stat()
        guard fstat(fd, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            return .failure(.refused)
        }
        let identity = FileIdentity(status)
        return .success(OpenedFile(descriptor: fd, relative: relative, size: identity.size, identity: identity))
    }
}
