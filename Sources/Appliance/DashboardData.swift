import BootTimeline
import Dashboard
import Diagnostics
import Foundation
import Snapshot

/// The dashboard's JSON from the live servers: the published inventory, the boot timeline, the rogue watch and
/// discovery. Read-only; nothing secret goes in (tiles carry names, MACs, addresses and steps, never BMC details).
struct DashboardData: Sendable {
    let snapshots: SnapshotPublisher
    let timeline: BootTimeline
    let rogues: RogueServers?
    let startedAt: Double
    let discovered: @Sendable () -> [UnknownTile]?

    /// `GET /api/state`.
    func state() -> [UInt8] {
        // The version first: a change landing while the snapshot is taken is sent again, never lost.
        let version = timeline.version
        let state = DashboardBuilder.state(inventory: snapshots.current.inventory, timelines: timeline.snapshot(),
                                           version: version, rogues: rogues?.list() ?? [], discovered: discovered(),
                                           now: Date().timeIntervalSince1970, startedAt: startedAt)
        return Self.encode(state)
    }

    /// `GET /api/node/NAME`.
    func node(_ query: String) -> [UInt8] {
        let inventory = snapshots.current.inventory
        let key = inventory.profile(matching: query)?.name ?? query
        let detail = NodeDetail.build(query: query, inventory: inventory, timeline: timeline.timeline(of: key),
                                      rogues: rogues?.list() ?? [], now: Date().timeIntervalSince1970,
                                      serverStarted: startedAt)
        return Self.encode(detail)
    }

    /// `/events`: one `update` event with every client changed after `version`, or nothing.
    func update(since version: UInt64) -> (UInt64, [UInt8]?) {
        let (latest, changed) = timeline.changes(since: version)
        guard !changed.isEmpty else { return (latest, nil) }
        let update = DashboardBuilder.update(inventory: snapshots.current.inventory, changed: changed, version: latest,
                                             rogues: rogues?.list() ?? [], discovered: discovered,
                                             now: Date().timeIntervalSince1970)
        return (latest, ServerSentEvent.frame(event: "update", data: String(decoding: Self.encode(update), as: UTF8.self)))
    }

    private static func encode<Value: Encodable>(_ value: Value) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Array((try? encoder.encode(value)) ?? Data("{}".utf8))
    }
}
