import DHCP
import Foundation

/// Known nodes' lease changes made while the shared database was unreachable, fsynced before their ACKs left and
/// copied to the database when it returns. One line per change: the node (`-` for none), a tab, a journal line.
final class LeaseOutbox {
    let path: String
    private var descriptor: Int32
    /// The changes on disk, in order (the file is small: only what an outage produced).
    private(set) var pending: [LeaseChange]

    init(directory: String) throws(LeaseStoreError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw LeaseStoreError(description: "cannot create \(directory): \(error.localizedDescription)")
        }
        path = directory + "/leases.outbox"
        let text = FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) } ?? ""
        pending = Self.changes(in: text)
        descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw Self.failure("open", path) }
        if !text.isEmpty && !text.hasSuffix("\n") { _ = write(descriptor, "\n", 1) } // a torn line from a crash
    }

    deinit { close(descriptor) }

    /// Appends and fdatasyncs; throws, keeping none of them, when they do not reach the disk.
    func append(_ changes: [LeaseChange]) throws(LeaseStoreError) {
        guard !changes.isEmpty else { return }
        let text = changes.map(Self.line(for:)).joined()
        let length = lseek(descriptor, 0, SEEK_END)
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { buffer in write(descriptor, buffer.baseAddress, buffer.count) }
        guard written == bytes.count, fdatasync(descriptor) == 0 else {
            let error = Self.failure("write", path)
            _ = ftruncate(descriptor, length)
            throw error
        }
        pending += changes
    }

    /// Forgets the first `count` changes once the database has them.
    func remove(first count: Int) throws(LeaseStoreError) {
        pending.removeFirst(min(count, pending.count))
        let text = pending.map(Self.line(for:)).joined()
        let temporary = path + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8)) else {
            throw Self.failure("write", temporary)
        }
        let fd = open(temporary, O_RDONLY | O_CLOEXEC)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
        guard rename(temporary, path) == 0 else { throw Self.failure("rename", temporary) }
        close(descriptor)
        descriptor = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
        guard descriptor >= 0 else { throw Self.failure("reopen", path) }
    }

    static func line(for change: LeaseChange) -> String {
        let node = change.node.flatMap { $0.isEmpty || $0.contains(where: \.isWhitespace) ? nil : $0 } ?? "-"
        return node + "\t" + LeaseJournalFormat.line(for: change.update)
    }

    /// Only whole lines count: a torn last one (a crash mid-write) was never acknowledged.
    static func changes(in text: String) -> [LeaseChange] {
        let end = text.hasSuffix("\n") ? text.endIndex : text.lastIndex(of: "\n") ?? text.startIndex
        return text[..<end].split(separator: "\n").compactMap { line in
            guard let tab = line.firstIndex(of: "\t"),
                  let update = LeaseJournalFormat.update(from: line[line.index(after: tab)...]) else { return nil }
            let node = line[..<tab]
            return LeaseChange(update, node: node == "-" ? nil : String(node))
        }
    }

    private static func failure(_ action: String, _ file: String) -> LeaseStoreError {
        LeaseStoreError(description: "cannot \(action) \(file): \(String(cString: strerror(errno)))")
    }
}
