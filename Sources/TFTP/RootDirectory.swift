import CSyscalls
@_exported import FileRoot
import Foundation

/// Why a requested file is not served; the message never names a server path.
public struct TFTPRefusal: Error, Sendable, Equatable {
    public let code: TFTPErrorCode
    public let message: String

    public static let notFound = TFTPRefusal(code: .fileNotFound, message: "file not found")
    public static let accessViolation = TFTPRefusal(code: .accessViolation, message: "access violation")
    /// The process (EMFILE) or the system (ENFILE) has no descriptor left: a load problem, not the client's.
    public static let outOfDescriptors = TFTPRefusal(code: .notDefined, message: "server busy: out of file descriptors")
}

extension TFTPRefusal {
    /// The TFTP error for a file the escape-proof root would not open.
    init(_ refusal: FileRefusal) {
        switch refusal {
        case .notFound: self = .notFound
        case .outOfDescriptors: self = .outOfDescriptors
        case .refused: self = .accessViolation
        }
    }
}

/// Files under `tftp_root`, which no request can escape: `..`, absolute paths, backslashes and symlinks
/// leading outside are refused (openat2 with RESOLVE_BENEATH), as are directories and device files.
/// Files up to `cacheFileLimit` are kept in memory and re-read when they change on disk. Opening never reads a
/// large file on the caller's thread (which serves port 69 and transfers): a small one is read at once, a large
/// one is served from its descriptor while a background thread fills the cache for the nodes that follow.
public final class RootDirectory: @unchecked Sendable {
    public let path: String
    /// The escape-proof opener beneath `path` (shared with the HTTP boot service).
    public let files: EscapeProofRoot
    private let cacheFileLimit: Int
    private let cacheCapacity: Int
    /// Files up to this size are read into the cache on the opening thread: about a millisecond of copying.
    private let inlineReadLimit: Int
    private let lock = NSLock()
    // Guarded by `lock`.
    private var cache: [String: CachedFile] = [:]
    private var cachedBytes = 0
    private var filling: Set<String> = []
    private let fillQueue = DispatchQueue(label: "netroot.tftp.cache-fill", qos: .utility)

    private struct CachedFile {
        let identity: FileIdentity
        let content: MemoryContent
        var lastUse: UInt64
    }

    private var useCounter: UInt64 = 0

    public init(path: String, cacheFileLimit: Int = 256 << 20, cacheCapacity: Int = 1 << 30,
                inlineReadLimit: Int = 1 << 20) throws {
        self.path = path
        self.cacheFileLimit = cacheFileLimit
        self.cacheCapacity = cacheCapacity
        self.inlineReadLimit = inlineReadLimit
        do { files = try EscapeProofRoot(path: path) } catch {
            throw TFTPRefusal(code: .notDefined, message: "\(error)")
        }
    }

    /// The TFTP name as a path relative to the root, or nil when it must be refused (see `EscapeProofRoot`).
    public static func normalize(_ name: String) -> String? { EscapeProofRoot.normalize(name) }

    /// Opens `name` beneath the root (the same refusals as `open`), without reading or caching it.
    public func openFile(_ name: String) -> Result<EscapeProofRoot.OpenedFile, TFTPRefusal> {
        files.openFile(name).mapError(TFTPRefusal.init)
    }

    public func open(_ name: String) -> Result<any TFTPContent, TFTPRefusal> {
        let opened: EscapeProofRoot.OpenedFile
        switch openFile(name) {
        case .failure(let refusal): return .failure(refusal)
        case .success(let file): opened = file
        }
        let (fd, relative, identity) = (opened.descriptor, opened.relative, opened.identity)
        if let cached = cachedContent(relative, identity: identity) {
            close(fd)
            return .success(cached)
        }
        if identity.size > inlineReadLimit {
            if identity.size <= cacheFileLimit { fillInBackground(relative, from: fd, identity: identity) }
            return .success(DescriptorContent(descriptor: fd, identity: identity))
        }
        defer { close(fd) }
        guard let content = Self.readWhole(fd, identity: identity) else {
            return .failure(TFTPRefusal(code: .notDefined, message: "read error"))
        }
        store(relative, identity: identity, content: content)
        return .success(content)
    }

    /// The whole file, or nil when it cannot be read or changed while it was (a half-rewritten copy is no copy:
    /// reading to the end checks the file's identity, as for any transfer).
    private static func readWhole(_ fd: Int32, identity: FileIdentity) -> MemoryContent? {
        let content = DescriptorContent(descriptor: dup(fd), identity: identity)
        return (try? content.bytes()).map(MemoryContent.init)
    }

    /// Reads a large file into the cache on the fill thread; the transfer that asked reads it from its descriptor.
    private func fillInBackground(_ relative: String, from fd: Int32, identity: FileIdentity) {
        let copy = dup(fd)
        guard copy >= 0 else { return }
        let started = lock.withLock { filling.insert(relative).inserted }
        guard started else {
            close(copy)
            return
        }
        fillQueue.async { [self] in
            defer {
                close(copy)
                lock.withLock { _ = filling.remove(relative) }
            }
            if let content = Self.readWhole(copy, identity: identity) { store(relative, identity: identity, content: content) }
        }
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
