import BootTimeline
import Testing

@Suite("Boot timeline changes")
struct TimelineChangesTests {
    private func step(_ name: String, at time: Double) -> BootEvent {
        BootEvent(time: time, .file(.init(path: name, via: .tftp, bytes: 1024, duration: 0.005, status: .sent)))
    }

    @Test("a watcher gets every client changed since its version, once, and nothing when nothing changed")
    func changesSinceAVersion() {
        let timeline = BootTimeline()
        #expect(timeline.changes(since: 0).clients.isEmpty)
        timeline.record(step("a", at: 1), from: "10.0.0.11", node: "node1")
        timeline.record(step("b", at: 2), from: "10.0.0.12", node: "node2")
        let first = timeline.changes(since: 0)
        #expect(first.clients.map(\.client) == ["node1", "node2"])
        #expect(first.version == timeline.version)
        #expect(timeline.changes(since: first.version).clients.isEmpty)
        // Three steps of one node between two looks: one summary, with all three.
        for time in 3...5 { timeline.record(step("c\(time)", at: Double(time)), from: "10.0.0.12", node: "node2") }
        let second = timeline.changes(since: first.version)
        #expect(second.clients.map(\.client) == ["node2"])
        #expect(second.clients.first?.events.count == 4)
        #expect(second.version == first.version + 3)
    }

    @Test("power actions count as changes; evicted clients are not reported")
    func powerAndEviction() {
        let timeline = BootTimeline(maximumClients: 2)
        timeline.recordPower([BootEvent(time: 1, .power(action: .on, failure: nil))],
                             client: "node1", mac: "02:00:00:00:00:01")
        #expect(timeline.changes(since: 0).clients.map(\.client) == ["node1"])
        timeline.record(step("x", at: 2), from: "10.0.0.2", node: "node2")
        timeline.record(step("y", at: 3), from: "10.0.0.3", node: "node3")
        #expect(!timeline.changes(since: 0).clients.map(\.client).contains("node1"))
    }
}
