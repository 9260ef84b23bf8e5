import Dispatch
import Foundation
import Logging
import NIOConcurrencyHelpers

/// Remembers unknown PXE machines from the DHCP loop and persists them off it: `record` only updates memory under a
/// lock; the file is written on a queue of its own, at most once per `interval` seconds in a storm, and on stop.
public final class DiscoveryRecorder: Sendable {
    private struct State {
        var book: DiscoveryBook
        var dirty = false
        var writeScheduled = false
        var lastWrite: DispatchTime?
        var failing = false
    }

    public let path: String
    private let interval: Double
    private let knownMACs: @Sendable () -> Set<String>
    private let logger: Logger
    private let state: NIOLockedValueBox<State>
    private let queue = DispatchQueue(label: "netroot.discovery")

    /// `knownMACs` are the inventory's MACs now: they are not listed and are dropped from the file (adopted).
    public init(path: String, capacity: Int = 4_096, interval: Double = 1, logger: Logger,
                knownMACs: @escaping @Sendable () -> Set<String>) {
        self.path = path
        self.interval = interval
        self.knownMACs = knownMACs
        self.logger = logger
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
        let delay: Double? = state.withLockedValue { state in
            state.book.record(sighting)
            state.dirty = true
            guard !state.writeScheduled else { return nil }
            state.writeScheduled = true
            guard let last = state.lastWrite else { return 0 }
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - last.uptimeNanoseconds) / 1e9
            return max(0, interval - elapsed)
        }
        guard let delay else { return }
        queue.asyncAfter(deadline: .now() + delay) { [self] in flush() }
    }

    /// Writes what is not written yet, and waits for it.
    public func stop() {
        queue.sync { flush() }
    }

    /// On `queue` only.
    private func flush() {
        let known = knownMACs()
        // Only a copy of the book is taken under the lock (the DHCP loop waits for it); sorting and encoding
        // happen outside.
        let book: DiscoveryBook? = state.withLockedValue { state in
            state.writeScheduled = false
            guard state.dirty else { return nil }
            state.dirty = false
            state.lastWrite = DispatchTime.now()
            state.book.remove(known)
            return state.book
        }
        guard let machines = book?.machines else { return }
        do {
            try DiscoveryFile.save(machines, to: path)
            let recovered = state.withLockedValue { state in
                defer { state.failing = false }
                return state.failing
            }
            if recovered { logger.notice("discovered machines written to \(path) again") }
        } catch {
            // Logged once per failing spell, and retried at the next sighting.
            let first = state.withLockedValue { state in
                defer { state.failing = true }
                state.dirty = true
                return !state.failing
            }
            if first { logger.warning("cannot write discovered machines: \(error)") }
        }
    }
}
