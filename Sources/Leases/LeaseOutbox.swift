import DHCP
import Foundation
import Inventory
import Support

/// Known nodes' lease changes made while the shared database was unreachable, fsynced before their ACKs left and
/// copied to the database when it returns. One line per change: the node (`-` for none), a tab, a journal line.
///
/// However long the outage, it stays small: only the last change per (MAC, address) is kept (a later one for the
/// same pair supersedes the earlier, which is what the database would end up with anyway), lines superseded on
/// disk are shed by rewriting the file, and at most `capacity` pairs are held: a change for a new pair beyond it
/// is not kept (`append` returns how many; the store says so once), while the DHCP server goes on answering known
/// nodes from the inventory. The file is created 0600, also when it is rewritten.
///
/// Used on one thread at a time (the store's event loop), hence `@unchecked Sendable`.
final class LeaseOutbox: @unchecked Sendable {
    /// A lease change's identity in the outbox: the last one per client and address wins.
    struct Key: Hashable {
        let mac: MACAddress
        let address: IPv4Address

        init(_ change: LeaseChange) {
            switch change.update {
            case .bind(let lease):
                mac = lease.mac
                address = lease.address
            case .release(let client, let released):
                mac = client
                address = released
            }
        }
    }

    /// The most (MAC, address) pairs kept: far above the known nodes of one inventory (each binds its own
    /// reservation), far below what would make the file or the copy-back large.
    static let defaultCapacity = 65_536

    let path: String
    let capacity: Int
    private var descriptor: Int32 = -1
    /// The changes in order, each with its sequence number (ascending); nil where a later change of the same pair
    /// superseded one, or it was copied. Sequence numbers never change, so what `oldest` handed out stays valid
    /// while the array is compacted.
    private var slots: [(sequence: Int, change: LeaseChange?)] = []
    private var nextSequence = 0
    /// Slots before it are copied.
    private var head = 0
    /// Each pair's change, by sequence number.
    private var sequences: [Key: Int] = [:]
    /// Lines in the file (superseded ones included): the file is rewritten when they outnumber the changes.
    private var linesOnDisk = 0

    /// The changes waiting for the database, oldest first (one per pair).
    var pending: [LeaseChange] { slots[head...].compactMap(\.change) }
    /// How many changes wait (one per pair).
    var count: Int { sequences.count }
    var isEmpty: Bool { sequences.isEmpty }

    init(directory: String, capacity: Int = LeaseOutbox.defaultCapacity) throws(LeaseStoreError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw LeaseStoreError(description: "cannot create \(directory): \(error.localizedDescription)")
        }
        self.capacity = max(1, capacity)
        path = directory + "/leases.outbox"
        let text: String
        do { text = try PrivateFile.read(path).map { String(decoding: $0, as: UTF8.self) } ?? "" } catch {
            throw LeaseStoreError(description: error.description)
        }
        // What is on disk was acknowledged: all of it is kept, whatever the capacity.
        for change in Self.changes(in: text) { keep(change) }
        linesOnDisk = text.utf8.reduce(0) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
        do { descriptor = try PrivateFile.openForAppend(path) } catch {
            throw LeaseStoreError(description: error.description)
        }
        if !text.isEmpty && !text.hasSuffix("\n") { _ = write(descriptor, "\n", 1) } // a torn line from a crash
        if linesOnDisk > 2 * count + 1_024 { try? persist() }
    }

    deinit { close(descriptor) }

    /// Appends and fdatasyncs the changes it keeps; returns how many it did not keep (changes for pairs it does not
    /// hold yet, beyond `capacity`). Throws, keeping none of them, when they do not reach the disk.
    @discardableResult
    func append(_ changes: [LeaseChange]) throws(LeaseStoreError) -> Int {
        var kept: [LeaseChange] = []
        var added = Set<Key>()
        for change in changes {
            let key = Key(change)
            if sequences[key] == nil, !added.contains(key) {
                guard sequences.count + added.count < capacity else { continue }
                added.insert(key)
            }
            kept.append(change)
        }
        let dropped = changes.count - kept.count
        guard !kept.isEmpty else { return dropped }
        let text = kept.map(Self.line(for:)).joined()
        let length = lseek(descriptor, 0, SEEK_END)
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { buffer in write(descriptor, buffer.baseAddress, buffer.count) }
        guard written == bytes.count, fdatasync(descriptor) == 0 else {
            let error = Self.failure("write", path)
            _ = ftruncate(descriptor, length)
            throw error
        }
        for change in kept { keep(change) }
        linesOnDisk += kept.count
        // Superseded lines are shed once they are most of the file (a flood of one node's REQUESTs).
        if linesOnDisk > 2 * count + 1_024 { try? persist() }
        return dropped
    }

    /// The oldest changes, at most `limit`, to copy to the database, and how far they reach (a sequence number)
    /// for `copied(through:)`. Appends and rewrites meanwhile do not move it.
    func oldest(_ limit: Int) -> (changes: [LeaseChange], through: Int) {
        var changes: [LeaseChange] = []
        var index = head
        while index < slots.count, changes.count < limit {
            if let change = slots[index].change { changes.append(change) }
            index += 1
        }
        return (changes, index < slots.count ? slots[index].sequence : nextSequence)
    }

    /// Forgets the changes `oldest` handed out, now that the database has them; a change of the same pair
    /// appended since is kept. In memory only: `persist` writes it down.
    func copied(through end: Int) {
        while head < slots.count, slots[head].sequence < end {
            if let change = slots[head].change { sequences[Key(change)] = nil }
            slots[head].change = nil
            head += 1
        }
        compactMemory()
    }

    /// Forgets the first `count` changes once the database has them, and writes that down.
    func remove(first count: Int) throws(LeaseStoreError) {
        copied(through: oldest(count).through)
        try persist()
    }

    /// Rewrites the file with the changes still waiting, one line each (`PrivateFile.replace`: a new file,
    /// created 0600, fsynced and renamed over the old one), and appends to the new one from then on.
    func persist() throws(LeaseStoreError) {
        let live = pending
        do { try PrivateFile.replace(path, with: Array(live.map(Self.line(for:)).joined().utf8)) } catch {
            throw LeaseStoreError(description: error.description)
        }
        close(descriptor)
        descriptor = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else { throw Self.failure("reopen", path) }
        linesOnDisk = live.count
    }

    /// Records a change in memory: it supersedes the pair's earlier one.
    private func keep(_ change: LeaseChange) {
        let key = Key(change)
        if let earlier = sequences[key], let index = index(of: earlier) { slots[index].change = nil }
        sequences[key] = nextSequence
        slots.append((nextSequence, change))
        nextSequence += 1
        compactMemory()
    }

    /// Where the slot of `sequence` is (binary search: sequence numbers ascend).
    private func index(of sequence: Int) -> Int? {
        var low = head, high = slots.count
        while low < high {
            let middle = (low + high) / 2
            if slots[middle].sequence < sequence { low = middle + 1 } else { high = middle }
        }
        return low < slots.count && slots[low].sequence == sequence ? low : nil
    }

    /// Drops copied and superseded slots once they are most of the array: memory follows the pairs held.
    private func compactMemory() {
        guard slots.count > 2 * sequences.count + 1_024 else { return }
        slots = slots[head...].filter { $0.change != nil }
        head = 0
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

/// One round of copying the outbox back to the database, a heartbeat's share: chunks of at most `chunkSize`
/// changes, each its own transaction (one `netroot_commit()` call, well within the query time limit), a new one
/// started only while the round's time lasts, so the round and the heartbeat after it fit the heartbeat's time
/// limit; what is left waits for the next round. Driven by the store's loop (or a test): `next`, commit it,
/// `committed`, and so on, then `finish`, which writes the outbox down without what was copied.
struct OutboxCopyRound: Sendable {
    /// Changes per transaction: a few hundred milliseconds of `netroot_commit()` on a modest server.
    static let chunkSize = 1_000
    /// How long a round starts new chunks: the query time limit is 5 s.
    static let duration: Duration = .seconds(2)

    let outbox: LeaseOutbox
    let deadline: ContinuousClock.Instant
    let chunkSize: Int
    /// How far the chunk in flight reaches, and its size.
    private var inFlight: (through: Int, count: Int)?
    /// Changes copied in this round.
    private(set) var copied = 0

    init(outbox: LeaseOutbox, start: ContinuousClock.Instant, duration: Duration = OutboxCopyRound.duration,
         chunkSize: Int = OutboxCopyRound.chunkSize) {
        self.outbox = outbox
        deadline = start + duration
        self.chunkSize = max(1, chunkSize)
    }

    /// The next chunk to commit, nil when the outbox is empty or the round's time is over.
    mutating func next(now: ContinuousClock.Instant) -> [LeaseChange]? {
        guard inFlight == nil, now < deadline else { return nil }
        let (chunk, through) = outbox.oldest(chunkSize)
        guard !chunk.isEmpty else { return nil }
        inFlight = (through, chunk.count)
        return chunk
    }

    /// The chunk `next` returned is in the database.
    mutating func committed() {
        guard let chunk = inFlight else { return }
        outbox.copied(through: chunk.through)
        copied += chunk.count
        inFlight = nil
    }

    /// Writes the outbox down without what this round copied (nothing to write when it copied nothing).
    func finish() throws(LeaseStoreError) {
        if copied > 0 { try outbox.persist() }
    }
}
