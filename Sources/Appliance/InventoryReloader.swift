import Foundation
import Inventory
import Logging
import ServiceLifecycle
import UnixSignals

/// Reloads nodes.yaml on SIGHUP and whenever the file changes: validates, then hands the new snapshot to every
/// server. A file with errors is refused with its FILE:LINE:COL lines and the last good inventory keeps serving.
struct InventoryReloader: Service, CustomStringConvertible {
    let description = "inventory reloader"
    let path: String
    let current: Inventory
    let apply: @Sendable (Inventory) -> Void
    let logger: Logger
    var notifier = SystemdNotifier()
    /// Told of each reload's outcome: true when it took effect.
    var outcome: @Sendable (Bool) -> Void = { _ in }
    /// Editors write a file in steps; reload once they are done.
    var settleTime: Duration = .milliseconds(200)

    func run() async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        let watcher = FileWatcher(path: path)
        if watcher == nil { logger.warning("cannot watch \(path) (inotify); reloading on SIGHUP only") }
        let (triggers, continuation) = AsyncStream<Trigger>.makeStream(bufferingPolicy: .bufferingNewest(4))
        let state = ReloadState(current: current, lastText: Self.read(path))
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
                        reload(trigger, state: state)
                    }
                }
            }
            try? await gracefulShutdown()
            watcher?.cancel()
            continuation.finish()
            group.cancelAll()
        }
    }

    private enum Trigger { case hangup, fileChanged }

    /// What the last reload saw; touched by one task at a time.
    private final class ReloadState: @unchecked Sendable {
        var current: Inventory
        var lastText: String?
        init(current: Inventory, lastText: String?) {
            self.current = current
            self.lastText = lastText
        }
    }

    private func reload(_ trigger: Trigger, state: ReloadState) {
        let text = Self.read(path)
        // A save that changed nothing (or a second event for the same save) is not a reload; SIGHUP always is.
        if trigger == .fileChanged, text == state.lastText { return }
        state.lastText = text
        let cause = trigger == .hangup ? "SIGHUP" : "file changed"
        notifier.reloading()
        let result = InventoryLoader.load(path: path)
        guard let inventory = result.inventory else {
            for diagnostic in result.diagnostics.errors { logger.error("\(diagnostic)") }
            logger.error("reload refused (\(cause)): \(path) has errors; the last good inventory keeps serving")
            notifier.ready(status: "reload refused: \(path) has errors; serving the last good inventory")
            outcome(false)
            return
        }
        apply(inventory)
        let changes = Self.changes(from: state.current, to: inventory)
        state.current = inventory
        logger.notice("reloaded \(path) (\(cause)): \(inventory.nodes.count) nodes; \(changes)")
        notifier.ready(status: "serving \(inventory.nodes.count) nodes")
        outcome(true)
    }

    private static func read(_ path: String) -> String? { try? String(contentsOfFile: path, encoding: .utf8) }

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
