import CSyscalls
import Foundation

/// O_PATH (Glibc hides it from Swift behind _GNU_SOURCE): a descriptor that names a directory for *at calls.
let openPathOnly: Int32 = 0o10000000

/// Unpacks tar members under one directory. Every path is resolved as if the directory were `/` and through
/// no symlink (openat2 RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS), so `..`, absolute names and symlinks planted
/// by earlier members cannot reach outside it.
final class RootExtractor {
    /// What was unpacked, for the summary line.
    struct Counts {
        var files = 0, directories = 0, symlinks = 0, hardLinks = 0, devices = 0, removed = 0
        var bytes: Int64 = 0
    }

    private let root: Int32
    let rootPath: String
    private(set) var counts = Counts()

    init(root: String) throws {
        rootPath = root
        self.root = open(root, openPathOnly | O_DIRECTORY | O_CLOEXEC)
        guard self.root >= 0 else { throw ArchiveError("cannot open \(root): \(Self.lastError)") }
    }

    deinit { close(root) }

    /// `./usr/bin/` → `usr/bin`; nil for the root itself. Absolute names and `..` are refused: a tarball that
    /// names them is trying to write outside the root.
    static func normalize(_ path: String) throws -> String? {
        guard !path.hasPrefix("/") else {
            throw ArchiveError("member '\(path)' has an absolute path; refusing to write outside the root")
        }
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            guard part != ".." else {
                throw ArchiveError("member '\(path)' climbs out with '..'; refusing to write outside the root")
            }
            parts.append(part)
        }
        return parts.isEmpty ? nil : parts.joined(separator: "/")
    }

    /// Writes one member; a file's content comes from `reader`.
    func extract(_ entry: TarEntry, from reader: TarReader) throws {
        guard let path = try Self.normalize(entry.path) else { return }
        let (parent, name) = try openParent(of: path)
        defer { close(parent) }
        switch entry.kind {
        case .directory:
            var status = stat()
            if fstatat(parent, name, &status, AT_SYMLINK_NOFOLLOW) == 0, status.st_mode & S_IFMT != S_IFDIR {
                try removeTree(parent, name)
            }
            if mkdirat(parent, name, 0o700) != 0, errno != EEXIST { throw failure("create directory", path) }
            let directory = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard directory >= 0 else { throw failure("open directory", path) }
            defer { close(directory) }
            try setOwnerAndMode(directory, entry, path)
            counts.directories += 1
        case .file:
            try clear(parent, name)
            let file = openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            guard file >= 0 else { throw failure("create", path) }
            defer { close(file) }
            try reader.readContent { chunk in
                var written = 0
                while written < chunk.count {
                    let count = chunk.withUnsafeBytes { write(file, $0.baseAddress! + written, chunk.count - written) }
                    if count < 0, errno == EINTR { continue }
                    guard count > 0 else { throw failure("write", path) }
                    written += count
                }
            }
            try setOwnerAndMode(file, entry, path)
            var times = [timespec(tv_sec: Int(entry.modificationTime), tv_nsec: 0),
                         timespec(tv_sec: Int(entry.modificationTime), tv_nsec: 0)]
            futimens(file, &times)
            counts.files += 1
            counts.bytes += entry.size
        case .symlink:
            try clear(parent, name)
            guard symlinkat(entry.linkTarget, parent, name) == 0 else { throw failure("create symlink", path) }
            fchownat(parent, name, entry.uid, entry.gid, AT_SYMLINK_NOFOLLOW)
            counts.symlinks += 1
        case .hardLink:
            guard let targetPath = try Self.normalize(entry.linkTarget) else {
                throw ArchiveError("member '\(entry.path)' is a hard link to the root itself")
            }
            let (targetParent, targetName) = try openParent(of: targetPath, create: false)
            defer { close(targetParent) }
            try clear(parent, name)
            guard linkat(targetParent, targetName, parent, name, 0) == 0 else {
                throw failure("link to \(targetPath) as", path)
            }
            counts.hardLinks += 1
        case .characterDevice, .blockDevice, .fifo:
            try clear(parent, name)
            let type: mode_t = entry.kind == .characterDevice ? S_IFCHR : entry.kind == .blockDevice ? S_IFBLK : S_IFIFO
            guard netroot_make_node(parent, name, UInt32(type) | (entry.mode & 0o777), entry.deviceMajor,
                                    entry.deviceMinor) == 0 else { throw failure("create device node", path) }
            fchownat(parent, name, entry.uid, entry.gid, AT_SYMLINK_NOFOLLOW)
            fchmodat(parent, name, mode_t(entry.mode), 0)
            counts.devices += 1
        }
    }

    /// An image layer's `.wh.NAME` (NAME deleted) or `.wh..wh..opq` (the directory's lower contents hidden).
    /// Returns false for an ordinary member.
    func applyWhiteout(_ entryPath: String) throws -> Bool {
        guard let path = try Self.normalize(entryPath) else { return false }
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard name.hasPrefix(".wh.") else { return false }
        let directory = path.split(separator: "/").dropLast().joined(separator: "/")
        let parent: Int32
        if directory.isEmpty {
            parent = open(rootPath, openPathOnly | O_DIRECTORY | O_CLOEXEC)
        } else {
            parent = netroot_open_in_root(root, directory, openPathOnly | O_DIRECTORY, 0)
        }
        guard parent >= 0 else { return true } // nothing below to hide
        defer { close(parent) }
        if name == ".wh..wh..opq" {
            let listing = netroot_open_in_root(root, directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY, 0)
            guard listing >= 0 else { return true }
            for child in try Self.children(of: listing) { try removeTree(parent, child) }
        } else {
            let target = String(name.dropFirst(4))
            var status = stat()
            if fstatat(parent, target, &status, AT_SYMLINK_NOFOLLOW) == 0 { try removeTree(parent, target) }
        }
        return true
    }

    /// The directory that will hold `path`, created (0755, root-owned) as needed, and the last component.
    private func openParent(of path: String, create: Bool = true) throws -> (Int32, String) {
        var components = path.split(separator: "/").map(String.init)
        let name = components.removeLast()
        let directory = components.joined(separator: "/")
        if directory.isEmpty { return (open(rootPath, openPathOnly | O_DIRECTORY | O_CLOEXEC), name) }
        let opened = netroot_open_in_root(root, directory, openPathOnly | O_DIRECTORY, 0)
        if opened >= 0 { return (opened, name) }
        guard create, errno == ENOENT else { throw failure("open directory", directory) }
        let (grandparent, directoryName) = try openParent(of: directory)
        defer { close(grandparent) }
        if mkdirat(grandparent, directoryName, 0o755) != 0, errno != EEXIST { throw failure("create directory", directory) }
        let created = netroot_open_in_root(root, directory, openPathOnly | O_DIRECTORY, 0)
        guard created >= 0 else { throw failure("open directory", directory) }
        return (created, name)
    }

    /// Removes whatever is at `name` so a new member can take its place (a later layer replaces a file).
    private func clear(_ parent: Int32, _ name: String) throws {
        var status = stat()
        guard fstatat(parent, name, &status, AT_SYMLINK_NOFOLLOW) == 0 else { return }
        try removeTree(parent, name)
    }

    private func removeTree(_ parent: Int32, _ name: String) throws {
        var status = stat()
        guard fstatat(parent, name, &status, AT_SYMLINK_NOFOLLOW) == 0 else { return }
        if status.st_mode & S_IFMT == S_IFDIR {
            let directory = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard directory >= 0 else { throw failure("open directory", name) }
            let listing = dup(directory)
            let children = try Self.children(of: listing)
            defer { close(directory) }
            for child in children { try removeTree(directory, child) }
            guard unlinkat(parent, name, AT_REMOVEDIR) == 0 else { throw failure("remove directory", name) }
        } else {
            guard unlinkat(parent, name, 0) == 0 else { throw failure("remove", name) }
        }
        counts.removed += 1
    }

    /// The names in a directory (takes ownership of `descriptor`).
    private static func children(of descriptor: Int32) throws -> [String] {
        guard let stream = fdopendir(descriptor) else {
            close(descriptor)
            throw ArchiveError("cannot list a directory: \(lastError)")
        }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    private func setOwnerAndMode(_ descriptor: Int32, _ entry: TarEntry, _ path: String) throws {
        // chown first: it clears set-user-ID and set-group-ID bits, which the mode then sets again.
        guard fchown(descriptor, entry.uid, entry.gid) == 0 else { throw failure("chown", path) }
        guard fchmod(descriptor, mode_t(entry.mode)) == 0 else { throw failure("chmod", path) }
    }

    private func failure(_ what: String, _ path: String) -> ArchiveError {
        if errno == ELOOP {
            // Archives made from a real tree store symlinks, never paths through them: this one is a trick.
            return ArchiveError("member path \(path) goes through a symlink; refusing (nothing outside the root "
                                + "was touched)")
        }
        return ArchiveError("cannot \(what) \(path): \(Self.lastError)")
    }

    private static var lastError: String { String(cString: strerror(errno)) }
}
