import Foundation
import Inventory
import Logging
import ServiceLifecycle
import Snapshot
import TFTP
import UnixSignals

/// Reloads nodes.yaml on SIGHUP and whenever the file changes: reads it once, validates those bytes, refuses
/// changes the running servers cannot take, then publishes one new snapshot that DHCP and TFTP switch to at
/// once. A refused file is logged with its FILE:LINE:COL lines and the last good inventory keeps serving.
struct InventoryReloader: Service, CustomStringConvertible {
    let description = "inventory reloader"
    let path: String
    let snapshots: SnapshotPublisher
    /// What the servers were started with, for the settings that need a restart.
    let started: RestartOnlySettings.Started
    /// Told of each snapshot published (the NFS exports follow it); must return at once.
    let published: @Sendable (InventorySnapshot) -> Void
    let logger: Logger
    var notifier = SystemdNotifier()
    /// Told of each reload's outcome: true when it took effect.
    var outcome: @Sendable (Bool) -> Void = { _ in }
    /// Editors write a file in steps; reload once they are done.
    var settleTime: Duration = .milliseconds(200)
    /// A file that changed while it was read is read again after this pause, at most `rereads` times.
    var rereadPause: Duration = .milliseconds(20)
    var rereads = 10

    func run() async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        let watcher = FileWatcher(path: path)
        if watcher == nil { logger.warning("cannot watch \(path) (inotify); reloading on SIGHUP only") }
        let (triggers, continuation) = AsyncStream<Trigger>.makeStream(bufferingPolicy: .bufferingNewest(4))
        let state = ReloadState(lastBytes: try? Array(Data(contentsOf: URL(fileURLWithPath: path))))
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await _ in hangups { continuation.yield(.hangup) }
            }
            if let watcher {
                group.addTask {
                    for await _ in watcher.changes { continuation.yield(.fileChanged) }
                }
            }
            group.addTask {
                await cancelWhenGracefulShutdown {
                    for await trigger in triggers {
                        if trigger == .fileChanged { try? await Task.sleep(for: settleTime) }
                        await reload(trigger, state: state, changeCount: { watcher?.changeCount ?? 0 })
                    }
                }
            }
            try? await gracefulShutdown()
            watcher?.cancel()
            continuation.finish()
            group.cancelAll()
        }
    }

    enum Trigger { case hangup, fileChanged }

    /// What one reload came to.
    enum Outcome: Equatable {
        /// The same bytes as last time (a second event for one save).
        case unchanged
        /// It kept changing while read; the change events that follow bring it back.
        case unsettled
        case invalid
        case needsRestart([RestartOnlySettings.Change])
        case applied(version: Int)
    }

    /// The bytes the last reload judged; touched by one task at a time.
    final class ReloadState: @unchecked Sendable {
        var lastBytes: [UInt8]?
        init(lastBytes: [UInt8]?) { self.lastBytes = lastBytes }
    }

    /// One reload: read once, compare, validate, check restart-only settings, publish.
    @discardableResult
    func reload(_ trigger: Trigger, state: ReloadState, changeCount: () -> Int = { 0 }) async -> Outcome {
        let began = ContinuousClock.now
        let cause = trigger == .hangup ? "SIGHUP" : "file changed"
        guard let (bytes, result) = await settledRead(changeCount: changeCount) else {
            logger.info("\(path) kept changing while being read (\(cause)); reading it at its next change")
            return .unsettled
        }
        // A save that changed nothing (or a second event for the same save) is not a reload; SIGHUP always is.
        if trigger == .fileChanged, bytes == state.lastBytes { return .unchanged }
        state.lastBytes = bytes
        notifier.reloading()
        guard let inventory = result.inventory else {
            for diagnostic in result.diagnostics.errors { logger.error("\(diagnostic)") }
            return refused("\(path) has errors", cause: cause, outcome: .invalid)
        }
        let serving = snapshots.current
        let restart = RestartOnlySettings.changes(from: serving.inventory, to: inventory, started: started,
                                                  text: String(decoding: bytes ?? [], as: UTF8.self))
        guard restart.isEmpty else {
            for change in restart {
                logger.error("\(path):\(change.location.map { "\($0): " } ?? " ")\(change)")
            }
            let keys = restart.map(\.key).joined(separator: ", ")
            return refused("\(keys) cannot change while serving (restart netroot to apply)", cause: cause,
                           outcome: .needsRestart(restart))
        }
        let snapshot = snapshots.publish(inventory)
        published(snapshot)
        let changes = Self.changes(from: serving.inventory, to: inventory)
        let took = (ContinuousClock.now - began).milliseconds
        logger.notice("reloaded \(path) (\(cause)): inventory version \(snapshot.version), \(inventory.nodes.count) nodes; \(changes); took \(took) ms")
        notifier.ready(status: "serving \(inventory.nodes.count) nodes")
        outcome(true)
        return .applied(version: snapshot.version)
    }

    private func refused(_ why: String, cause: String, outcome result: Outcome) -> Outcome {
        logger.error("reload refused (\(cause)): \(why); the last good inventory (version \(snapshots.current.version)) keeps serving")
        notifier.ready(status: "reload refused: \(why); serving the last good inventory")
        outcome(false)
        return result
    }

    /// The file's bytes, read once, and their validation, from a read the file did not change under (an editor
    /// writing in place, or a rename, while it was read); nil when it kept changing.
    private func settledRead(changeCount: () -> Int) async -> ([UInt8]?, InventoryLoadResult)? {
        for attempt in 0...rereads {
            if attempt > 0 { try? await Task.sleep(for: rereadPause) }
            let changesBefore = changeCount()
            let before = FileIdentity(path: path)
            let bytes = try? Array(Data(contentsOf: URL(fileURLWithPath: path)))
            let result = InventoryLoader.load(path: path, bytes: bytes)
            if FileIdentity(path: path) == before, changeCount() == changesBefore { return (bytes, result) }
        }
        return nil
    }

    /// `added node5; changed node2` — which nodes' effective settings differ.
    static func changes(from old: Inventory, to new: Inventory) -> String {
        let before = Dictionary(old.profiles.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let after = Dictionary(new.profiles.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let added = after.keys.filter { before[$0] == nil }.sorted()
        let removed = before.keys.filter { after[$0] == nil }.sorted()
        let changed = after.keys.filter { before[$0] != nil && before[$0] != after[$0] }.sorted()
        var parts: [String] = []
        if !added.isEmpty { parts.append("added " + added.joined(separator: ", ")) }
        if !removed.isEmpty { parts.append("removed " + removed.joined(separator: ", ")) }
        if !changed.isEmpty { parts.append("changed " + changed.joined(separator: ", ")) }
        return parts.isEmpty ? "no node changed" : parts.joined(separator: "; ")
    }
}

extension Duration {
    /// Whole milliseconds, for log lines.
    var milliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
}
