import Dispatch
import Foundation
import Logging
import NIOConcurrencyHelpers

/// Remembers unknown PXE machines from the DHCP loop and persists them off it: `record` only updates memory under a
/// lock; the file is written on a queue of its own, and on stop. Each write replaces the whole file with two fsyncs,
/// so it is written when it says something new:
/// - a machine joins the list: written at once, then at most once per `interval` seconds (a rack powered on);
/// - only last sightings and counts changed (machines asking again, a flood from the same MACs): at most once per
///   `foldInterval` seconds;
/// - new machines pushing the longest unseen out of a full book (a storm of strangers): treated like the above
///   for `foldInterval` seconds after the last eviction, so a flood of random MACs costs one write a minute.
public final class DiscoveryRecorder: Sendable {
    private struct State {
        var book: DiscoveryBook
        /// The set of machines changed since the last write.
        var added = false
        /// Only last sightings, counts and facts changed since the last write.
        var updated = false
        /// When the last write was (`now()`'s seconds); nil before the first.
        var lastWrite: Double?
        /// Until then, new machines count as updates (the book was full and evicted).
        var stormUntil = -Double.infinity
        /// The earliest flush scheduled and not run yet.
        var scheduledAt: Double?
        var failing = false
    }

    public let path: String
    private let interval: Double
    private let foldInterval: Double
    private let knownMACs: @Sendable () -> Set<String>
    private let logger: Logger
    private let state: NIOLockedValueBox<State>
    private let queue: DispatchQueue
    private let startedAt: Double
    private let now: @Sendable () -> Double
    private let schedule: @Sendable (_ delay: Double, _ work: @escaping @Sendable () -> Void) -> Void
    private let save: @Sendable (_ machines: [DiscoveredMachine], _ path: String) throws -> Void

    /// `knownMACs` are the inventory's MACs now: they are not listed and are dropped from the file (adopted).
    /// Tests give `now` (seconds on a monotonic clock), `schedule` (runs work after a delay; default: on the
    /// recorder's queue) and `save` (default: `DiscoveryFile.save`).
    public init(path: String, capacity: Int = 4_096, interval: Double = 1, foldInterval: Double = 60,
                logger: Logger,
                now: (@Sendable () -> Double)? = nil,
                schedule: (@Sendable (Double, @escaping @Sendable () -> Void) -> Void)? = nil,
                save: (@Sendable ([DiscoveredMachine], String) throws -> Void)? = nil,
                knownMACs: @escaping @Sendable () -> Set<String>) {
        self.path = path
        self.interval = interval
        self.foldInterval = max(interval, foldInterval)
        self.knownMACs = knownMACs
        self.logger = logger
        let now = now ?? { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
        self.now = now
        startedAt = now()
        let queue = DispatchQueue(label: "netroot.discovery")
        self.queue = queue
        self.schedule = schedule ?? { delay, work in queue.asyncAfter(deadline: .now() + max(0, delay), execute: work) }
        self.save = save ?? { machines, path in try DiscoveryFile.save(machines, to: path) }
        state = NIOLockedValueBox(State(book: DiscoveryBook(capacity: capacity)))
    }

    /// Reads what earlier runs found; a corrupt file is logged and replaced at the next sighting.
    public func load() {
        let contents = DiscoveryFile.read(path: path)
        if let problem = contents.problem { logger.warning("\(problem)") }
        let known = knownMACs()
        state.withLockedValue { state in
            for machine in contents.machines where !known.contains(machine.mac) { state.book.record(machine) }
        }
    }

    /// The machines in first-seen order, those now in the inventory left out.
    public var machines: [DiscoveredMachine] {
        let known = knownMACs()
        return state.withLockedValue { $0.book }.machines.filter { !known.contains($0.mac) }  // sorted outside the lock
    }

    /// One sighting; cheap, called on the DHCP loop.
    public func record(_ sighting: DiscoveredMachine) {
        let time = now()
        let delay: Double? = state.withLockedValue { state in
            switch state.book.record(sighting) {
            case .added where time >= state.stormUntil:
                state.added = true
            case .added, .updated:
                state.updated = true
            case .addedEvicting:
                state.updated = true
                state.stormUntil = time + foldInterval
            }
            return scheduleFlush(&state, now: time)
        }
        if let delay { schedule(delay) { [self] in flush() } }
    }

    /// Writes what is not written yet, and waits for it.
    public func stop() {
        queue.sync { flush(force: true) }
    }

    /// When the pending changes are due to be written; nil when there are none.
    private func due(_ state: State) -> Double? {
        if state.added { return state.lastWrite.map { $0 + interval } ?? -Double.infinity }
        if state.updated { return (state.lastWrite ?? startedAt) + foldInterval }
        return nil
    }

    /// The delay of a flush to schedule for the pending changes, when none is scheduled soon enough already.
    private func scheduleFlush(_ state: inout State, now time: Double) -> Double? {
        guard let due = due(state) else { return nil }
        let at = max(time, due)
        if let scheduled = state.scheduledAt, scheduled <= at { return nil }
        state.scheduledAt = at
        return at - time
    }

    /// On `queue`, or where the test's `schedule` runs it; one at a time. Writes when the pending changes are due
    /// (or `force`), else schedules itself for when they are.
    private func flush(force: Bool = false) {
        let known = knownMACs()
        let time = now()
        // Only a copy of the book is taken under the lock (the DHCP loop waits for it); sorting and encoding
        // happen outside.
        let (book, later): (DiscoveryBook?, Double?) = state.withLockedValue { state in
            if let scheduled = state.scheduledAt, scheduled <= time { state.scheduledAt = nil }
            guard let due = due(state) else { return (nil, nil) }
            guard force || due <= time else { return (nil, scheduleFlush(&state, now: time)) }
            state.added = false
            state.updated = false
            state.lastWrite = time
            state.book.remove(known)
            return (state.book, nil)
        }
        if let later { schedule(later) { [self] in flush() } }
        guard let machines = book?.machines else { return }
        do {
            try save(machines, path)
            let recovered = state.withLockedValue { state in
                defer { state.failing = false }
                return state.failing
            }
            if recovered { logger.notice("discovered machines written to \(path) again") }
        } catch {
            // Logged once per failing spell, and retried at the next sighting.
            let first = state.withLockedValue { state in
                defer { state.failing = true }
                state.added = true
                return !state.failing
            }
            if first { logger.warning("cannot write discovered machines: \(error)") }
        }
    }
}
