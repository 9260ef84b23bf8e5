import CSyscalls
import Foundation

/// Why a requested file is not served; the message never names a server path.
public struct TFTPRefusal: Error, Sendable, Equatable {
    public let code: TFTPErrorCode
    public let message: String

    public static let notFound = TFTPRefusal(code: .fileNotFound, message: "file not found")
    public static let accessViolation = TFTPRefusal(code: .accessViolation, message: "access violation")
}

/// Files under `tftp_root`, which no request can escape: `..`, absolute paths, backslashes and symlinks
/// leading outside are refused (openat2 with RESOLVE_BENEATH), as are directories and device files.
/// Files up to `cacheFileLimit` are kept in memory and re-read when they change on disk.
public final class RootDirectory: @unchecked Sendable {
    public let path: String
    private let descriptor: Int32
    private let cacheFileLimit: Int
    private let cacheCapacity: Int
    private let lock = NSLock()
    // Guarded by `lock`.
    private var cache: [String: CachedFile] = [:]
    private var cachedBytes = 0

    private struct CachedFile {
        let identity: FileIdentity
        let content: MemoryContent
        var lastUse: UInt64
    }

    /// What tells a changed file from the one in the cache.
    struct FileIdentity: Equatable {
        let device: UInt64
        let inode: UInt64
        let size: Int
        let modified: timespec

        static func == (lhs: FileIdentity, rhs: FileIdentity) -> Bool {
            lhs.device == rhs.device && lhs.inode == rhs.inode && lhs.size == rhs.size
                && lhs.modified.tv_sec == rhs.modified.tv_sec && lhs.modified.tv_nsec == rhs.modified.tv_nsec
        }
    }

    private var useCounter: UInt64 = 0

    public init(path: String, cacheFileLimit: Int = 256 << 20, cacheCapacity: Int = 1 << 30) throws {
        self.path = path
        self.cacheFileLimit = cacheFileLimit
        self.cacheCapacity = cacheCapacity
        descriptor = Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw TFTPRefusal(code: .notDefined, message: "cannot open tftp_root \(path): \(String(cString: strerror(errno)))")
        }
    }

    deinit { close(descriptor) }

    /// The TFTP name as a path relative to the root, or nil when it must be refused. Leading `/` and `\`
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

    public func open(_ name: String) -> Result<any TFTPContent, TFTPRefusal> {
        guard let relative = Self.normalize(name) else { return .failure(.accessViolation) }
        let fd = netroot_open_beneath(descriptor, relative)
        guard fd >= 0 else {
            switch errno {
            case ENOENT, ENOTDIR: return .failure(.notFound)
            default: return .failure(.accessViolation) // EXDEV (escape), ELOOP, EACCES, …
            }
        }
        var status = stat()
        guard fstat(fd, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            return .failure(.accessViolation)
        }
        let identity = FileIdentity(device: UInt64(status.st_dev), inode: UInt64(status.st_ino), size: Int(status.st_size),
                                    modified: status.st_mtim)
        if let cached = cachedContent(relative, identity: identity) {
            close(fd)
            return .success(cached)
        }
        guard identity.size <= cacheFileLimit else {
            return .success(DescriptorContent(descriptor: fd, size: identity.size))
        }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: identity.size)
        var offset = 0
        while offset < identity.size {
            let got = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + offset, identity.size - offset, off_t(offset)) }
            if got < 0, errno == EINTR { continue }
            guard got > 0 else { return .failure(TFTPRefusal(code: .notDefined, message: "read error")) }
            offset += got
        }
        let content = MemoryContent(bytes)
        store(relative, identity: identity, content: content)
        return .success(content)
    }

    private func cachedContent(_ relative: String, identity: FileIdentity) -> MemoryContent? {
        lock.lock()
        defer { lock.unlock() }
        guard let cached = cache[relative], cached.identity == identity else { return nil }
        useCounter += 1
        cache[relative]?.lastUse = useCounter
        return cached.content
    }

    private func store(_ relative: String, identity: FileIdentity, content: MemoryContent) {
        lock.lock()
        defer { lock.unlock() }
        if let old = cache.removeValue(forKey: relative) { cachedBytes -= old.content.size }
        // Least recently used files leave first when the cache is full.
        while cachedBytes + content.size > cacheCapacity,
              let oldest = cache.min(by: { $0.value.lastUse < $1.value.lastUse }) {
            cachedBytes -= oldest.value.content.size
            cache.removeValue(forKey: oldest.key)
        }
        useCounter += 1
        cache[relative] = CachedFile(identity: identity, content: content, lastUse: useCounter)
        cachedBytes += content.size
    }
}
