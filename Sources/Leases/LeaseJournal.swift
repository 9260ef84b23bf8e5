import DHCP
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import Support

/// The durable lease store: an append-only journal under `state_dir`, fsynced before any ACK it records leaves.
///
/// The DHCP event loop writes what one read batch decided with a single `append` (one write, one fdatasync)
/// and only then sends that batch's ACKs: group commit without a second thread, so under load the cost of
/// durability is shared and no packet waits on a thread hand-off. A failed write is cut off again, so the file
/// always ends on a whole line. When the journal grows, a background queue writes a compacted copy (one line per
/// lease) while appends go on; the next append adds what was appended meanwhile to the copy and swaps it in.
public final class LeaseJournal: LeaseStore, @unchecked Sendable {
    public let path: String
    private let logger: Logger
    /// The leases as journaled, read by metrics from other threads.
    private let mirror: NIOLockedValueBox<LeaseTable>
    /// Runs the slow part of a compaction (rendering and writing the copy) away from the DHCP event loop.
    private let background: @Sendable (@escaping @Sendable () -> Void) -> Void
    /// How many lines may be appended, given the number of leases, before the journal is compacted.
    private let compactionThreshold: @Sendable (Int) -> Int

    // Only touched by the one thread that appends (and in open).
    private var descriptor: Int32 = -1
    /// The file's length after the last append that reached the disk: a failed one is truncated back to it.
    private var length: off_t = 0
    /// Set when a failed append could not be truncated away: the next one starts on a fresh line.
    private var tornTail = false
    private var linesSinceCompaction = 0
    private var compaction: Compaction?

    /// A compacted copy being written in the background, and the updates appended since its snapshot.
    private final class Compaction: Sendable {
        let temporary: String
        /// Set by the background job: the copy is complete and fsynced, or why not.
        let outcome = NIOLockedValueBox<Result<Void, LeaseStoreError>?>(nil)
        let since = NIOLockedValueBox<[LeaseUpdate]>([])

        init(temporary: String) { self.temporary = temporary }
    }

    /// Opens (creating) `directory/leases.journal`, replays it and compacts it. Returns the journal and the leases.
    public static func open(
        directory: String, logger: Logger = Logger(label: "netroot.lease-journal"),
        background: @escaping @Sendable (@escaping @Sendable () -> Void) -> Void = { job in
            DispatchQueue.global(qos: .utility).async(execute: job)
        },
        compactionThreshold: @escaping @Sendable (Int) -> Int = { leases in max(10_000, 2 * leases) }
    ) throws -> (journal: LeaseJournal, leases: LeaseTable, damagedLines: Int) {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/leases.journal"
        var table = LeaseTable()
        var damaged = 0
        let bytes: [UInt8]?
        do { bytes = try PrivateFile.read(path) } catch { throw LeaseStoreError(description: error.description) }
        if let bytes {
            damaged = LeaseJournalFormat.replay(String(decoding: bytes, as: UTF8.self), into: &table).damaged
        }
        let journal = LeaseJournal(path: path, table: table, logger: logger,
                                   background: background, compactionThreshold: compactionThreshold)
        // At start nothing else is appending: compact in place, and refuse to serve without a writable journal.
        let compaction = Compaction(temporary: path + ".tmp")
        Self.writeCopy(of: table, to: compaction)
        try journal.swapIn(compaction)
        return (journal, table, damaged)
    }

    private init(path: String, table: LeaseTable, logger: Logger,
                 background: @escaping @Sendable (@escaping @Sendable () -> Void) -> Void,
                 compactionThreshold: @escaping @Sendable (Int) -> Int) {
        self.path = path
        self.logger = logger
        self.background = background
        self.compactionThreshold = compactionThreshold
        mirror = NIOLockedValueBox(table)
    }

    deinit { if descriptor >= 0 { close(descriptor) } }

    /// Appends the changes and answers at once: the journal never refuses a change, it only fails to write.
    public func commit(_ changes: [LeaseChange], on loop: any EventLoop) -> EventLoopFuture<LeaseCommitResult> {
        do {
            try append(changes.map(\.update))
            return loop.makeSucceededFuture(.allDurable)
        } catch {
            return loop.makeFailedFuture(error)
        }
    }

    /// One appliance's own disk: every pool client is its to answer.
    public var poolAvailable: Bool { true }
    public var loadBalance: LoadBalance? { nil }
    public var health: LeaseStoreHealth { LeaseStoreHealth(backend: "journal", location: path) }

    /// Writes `updates` and waits until they are on disk; throws if they are not (nothing may be acknowledged).
    /// Call from one thread at a time: the DHCP event loop.
    public func append(_ updates: [LeaseUpdate]) throws(LeaseStoreError) {
        guard !updates.isEmpty else { return }
        finishCompactionIfWritten()
        var text = tornTail ? "\n" : ""
        for update in updates { text += LeaseJournalFormat.line(for: update) }
        let bytes = Array(text.utf8)
        // fdatasync: the file's length is flushed with the data, which is all a replay needs.
        let written = bytes.withUnsafeBytes { Self.writeFully(descriptor, $0) }
        guard written, fdatasync(descriptor) == 0 else {
            let reason = String(cString: strerror(errno))
            // Cut off what did get written: a torn line would swallow the next append's first line on replay.
            tornTail = ftruncate(descriptor, length) != 0
            throw LeaseStoreError(description: "cannot write \(path): \(reason)")
        }
        length = tornTail ? lseek(descriptor, 0, SEEK_END) : length + off_t(bytes.count)
        tornTail = false
        let count = mirror.withLockedValue { table in
            for update in updates { table.apply(update) }
            return table.count
        }
        compaction?.since.withLockedValue { $0 += updates }
        linesSinceCompaction += updates.count
        if compaction == nil, linesSinceCompaction > compactionThreshold(count) { startCompaction() }
    }

    /// The leases as journaled so far (for metrics; the DHCP event loop owns the live table).
    public var leases: LeaseTable { mirror.withLockedValue { $0 } }

    /// Whether a compacted copy is being written or waits to be swapped in (for tests).
    var isCompacting: Bool { compaction != nil }

    // MARK: compaction

    /// Snapshots the leases and has the background queue write them as one line each beside the journal.
    private func startCompaction() {
        let job = Compaction(temporary: path + ".tmp")
        compaction = job
        linesSinceCompaction = 0
        let snapshot = leases
        background { Self.writeCopy(of: snapshot, to: job) }
    }

    /// The background half: render, write, fsync. Touches nothing the appending thread uses.
    private static func writeCopy(of table: LeaseTable, to job: Compaction) {
        let text = table.all.map { LeaseJournalFormat.line(for: .bind($0)) }.joined()
        // Exclusively and 0600: never through a link planted at the temporary's name, never readable by others.
        let fd: Int32
        do { fd = try PrivateFile.createExclusive(job.temporary) } catch {
            job.outcome.withLockedValue { $0 = .failure(LeaseStoreError(description: error.description)) }
            return
        }
        let written = Array(text.utf8).withUnsafeBytes { writeFully(fd, $0) }
        let outcome: Result<Void, LeaseStoreError> = written && fsync(fd) == 0
            ? .success(()) : .failure(Self.failure("write", job.temporary))
        close(fd)
        job.outcome.withLockedValue { $0 = outcome }
    }

    /// On the appending thread, once the copy is written: swap it in, or say why not and keep the old file.
    private func finishCompactionIfWritten() {
        guard let job = compaction, job.outcome.withLockedValue({ $0 }) != nil else { return }
        compaction = nil
        do {
            try swapIn(job)
            logger.debug("lease journal compacted", metadata: ["file": "\(path)", "bytes": "\(length)"])
        } catch {
            unlink(job.temporary)
            logger.error("lease journal compaction failed, still appending to the old file: \(error)",
                         metadata: ["file": "\(path)"])
        }
    }

    /// Adds the updates appended since the snapshot to the copy, renames it over the journal and appends to it
    /// from then on. Any failure leaves the old file and descriptor in use.
    private func swapIn(_ job: Compaction) throws(LeaseStoreError) {
        if case .failure(let error) = job.outcome.withLockedValue({ $0 }) { throw error }
        let fd = Foundation.open(job.temporary, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw Self.failure("reopen", job.temporary) }
        let since = job.since.withLockedValue { $0 }.map(LeaseJournalFormat.line(for:)).joined()
        let written = Array(since.utf8).withUnsafeBytes { Self.writeFully(fd, $0) }
        guard written, fdatasync(fd) == 0 else {
            let error = Self.failure("write", job.temporary)
            close(fd)
            throw error
        }
        guard rename(job.temporary, path) == 0 else {
            let error = Self.failure("rename \(job.temporary) to", path)
            close(fd)
            throw error
        }
        // The rename is durable once the directory is: until then a crash finds the old, complete journal.
        PrivateFile.syncDirectory(of: path)
        if descriptor >= 0 { close(descriptor) }
        descriptor = fd
        length = lseek(fd, 0, SEEK_END)
        tornTail = false
    }

    private static func failure(_ action: String, _ file: String) -> LeaseStoreError {
        LeaseStoreError(description: "cannot \(action) \(file): \(String(cString: strerror(errno)))")
    }

    private static func writeFully(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < buffer.count {
            let result = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if result < 0 {
                if errno == EINTR { continue }
                return false
            }
            if result == 0 {
                errno = ENOSPC
                return false
            }
            offset += result
        }
        return true
    }
}
