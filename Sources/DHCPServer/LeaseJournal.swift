import DHCP
import Foundation
import NIOConcurrencyHelpers

/// The durable lease store: an append-only journal under `state_dir`, fsynced before any ACK it records leaves.
///
/// The DHCP event loop writes what one read batch decided with a single `append` (one write, one fdatasync)
/// and only then sends that batch's ACKs: group commit without a second thread, so under load the cost of
/// durability is shared and no packet waits on a thread hand-off. The journal is compacted to one line per
/// lease when it grows.
public final class LeaseJournal: @unchecked Sendable {
    /// Why the journal could not be opened or written.
    public struct JournalError: Error, CustomStringConvertible {
        public let description: String
    }

    public let path: String
    private let directory: String
    /// The leases as journaled, read by metrics from other threads.
    private let mirror: NIOLockedValueBox<LeaseTable>
    // Only touched by the one thread that appends (and in init).
    private var descriptor: Int32
    private var linesSinceCompaction = 0

    /// Opens (creating) `directory/leases.journal`, replays it and compacts it. Returns the journal and the leases.
    public static func open(directory: String) throws -> (journal: LeaseJournal, leases: LeaseTable, damagedLines: Int) {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/leases.journal"
        var table = LeaseTable()
        var damaged = 0
        if FileManager.default.fileExists(atPath: path) {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw JournalError(description: "cannot read \(path)")
            }
            damaged = LeaseJournalFormat.replay(String(decoding: data, as: UTF8.self), into: &table).damaged
        }
        let journal = try LeaseJournal(path: path, directory: directory, table: table)
        try journal.compact()
        return (journal, table, damaged)
    }

    private init(path: String, directory: String, table: LeaseTable) throws {
        self.path = path
        self.directory = directory
        mirror = NIOLockedValueBox(table)
        descriptor = -1
    }

    deinit { if descriptor >= 0 { close(descriptor) } }

    /// Writes `updates` and waits until they are on disk; false if writing failed (nothing may be acknowledged).
    /// Call from one thread at a time: the DHCP event loop.
    public func append(_ updates: [LeaseUpdate]) -> Bool {
        guard !updates.isEmpty else { return true }
        var text = ""
        for update in updates { text += LeaseJournalFormat.line(for: update) }
        // fdatasync: the file's length is flushed with the data, which is all a replay needs.
        guard writeAll(Array(text.utf8)), fdatasync(descriptor) == 0 else { return false }
        let count = mirror.withLockedValue { table in
            for update in updates { table.apply(update) }
            return table.count
        }
        linesSinceCompaction += updates.count
        if linesSinceCompaction > max(10_000, 2 * count) { try? compact() }
        return true
    }

    /// The leases as journaled so far (for metrics; the DHCP event loop owns the live table).
    public var leases: LeaseTable { mirror.withLockedValue { $0 } }

    /// Rewrites the journal as one line per lease: write beside, fsync, rename over, fsync the directory.
    private func compact() throws {
        let temporary = path + ".tmp"
        let text = leases.all.map { LeaseJournalFormat.line(for: .bind($0)) }.joined()
        let fd = Foundation.open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw JournalError(description: "cannot create \(temporary): \(String(cString: strerror(errno)))") }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { buffer in Self.writeFully(fd, buffer) }
        guard written, fsync(fd) == 0, close(fd) == 0, rename(temporary, path) == 0 else {
            throw JournalError(description: "cannot write \(path): \(String(cString: strerror(errno)))")
        }
        let directoryFD = Foundation.open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryFD >= 0 {
            fsync(directoryFD)
            close(directoryFD)
        }
        if descriptor >= 0 { close(descriptor) }
        descriptor = Foundation.open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
        guard descriptor >= 0 else { throw JournalError(description: "cannot open \(path): \(String(cString: strerror(errno)))") }
        linesSinceCompaction = 0
    }

    private func writeAll(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { Self.writeFully(descriptor, $0) }
    }

    private static func writeFully(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < buffer.count {
            let result = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if result < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += result
        }
        return true
    }
}
