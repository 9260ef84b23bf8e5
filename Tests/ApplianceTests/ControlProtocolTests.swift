@testable import Appliance
import BootTimeline
import Control
import Foundation
import Inventory
import Testing

@Suite("Control socket protocol and reload summaries")
struct ControlProtocolTests {
    private func timeline() -> BootTimeline {
        let timeline = BootTimeline()
        timeline.record(BootEvent(time: 10, .dhcpRequest(type: .discover, client: .init(.pxeFirmware(.bios)),
                                                         broadcast: false)),
                        client: "node1", mac: "52:54:00:c0:ff:01")
        timeline.record(BootEvent(time: 11, .dhcpReply(.init(type: .ack, address: IPv4Address("10.0.0.11"),
                                                             delivery: .link))),
                        client: "node1", mac: nil, address: "10.0.0.11")
        return timeline
    }

    @Test("status lists every client; status NODE finds one by name, MAC or address; JSON survives the trip")
    func status() throws {
        let all = ControlProtocol.answer("status", timeline: timeline(), startedAt: 1, now: 20)
        #expect(all.clients.map(\.client) == ["node1"])
        #expect(all.error == nil)
        for key in ["node1", "52:54:00:C0:FF:01", "10.0.0.11"] {
            #expect(ControlProtocol.answer("status \(key)", timeline: timeline(), startedAt: 1, now: 20)
                .clients.first?.client == "node1")
        }
        let decoded = try JSONDecoder().decode(ControlProtocol.StatusReply.self,
                                               from: Data(ControlProtocol.encode(all)))
        #expect(decoded.clients == all.clients)
        #expect(decoded.now == 20)
    }

    @Test("unknown nodes and unknown requests get an error, not an empty answer")
    func errors() {
        #expect(ControlProtocol.answer("status node9", timeline: timeline(), startedAt: 1, now: 2).error?
            .contains("node9") == true)
        #expect(ControlProtocol.answer("reboot", timeline: timeline(), startedAt: 1, now: 2).error != nil)
        #expect(ControlProtocol.answer("status a b", timeline: timeline(), startedAt: 1, now: 2).error != nil)
    }

    @Test("a power record lands in the node's timeline; a malformed or oversized one is refused, nothing recorded")
    func powerRecords() {
        let shared = timeline()
        let good = #"power {"mac":"52:54:00:c0:ff:01","node":"node1","events":[{"time":30,"kind":"power","#
            + #""action":"on"}]}"#
        #expect(ControlProtocol.answer(good, timeline: shared, startedAt: 1, now: 31).error == nil)
        #expect(shared.timeline(of: "node1")?.events.map(BootEventText.step) == ["on"])
        #expect(shared.timeline(of: "node1")?.events.last?.step == .power(action: .on, failure: nil))
        let many = (0..<17).map { _ in #"{"time":1,"kind":"power","action":"off"}"# }
        for bad in ["power", "power {", "power {\"node\":\"node1\"}", "power [1,2]",
                    "power {\"node\":\"node1\",\"events\":[\(many.joined(separator: ","))]}",
                    #"power {"node":"node1","events":[{"time":1,"kind":"power","action":"explode"}]}"#] {
            #expect(ControlProtocol.answer(bad, timeline: shared, startedAt: 1, now: 32).error != nil, "\(bad.prefix(40))")
        }
        #expect(shared.timeline(of: "node1")?.events.map(BootEventText.step) == ["on"])
    }

    @Test("a reload names the nodes whose effective settings changed")
    func reloadSummary() throws {
        func inventory(_ nodes: String) throws -> Inventory {
            let text = """
                server: {interface: eth0, tftp_root: /srv}
                networks:
                  lan: {subnet: 10.0.0.0/24}
                images:
                  a: {kernel: a/vmlinuz}
                  b: {kernel: b/vmlinuz}
                nodes:
                \(nodes)
                """
            let result = InventoryLoader.parse(text: text, file: "nodes.yaml", baseDirectory: "/",
                                               fileExists: { _ in true })
            return try #require(result.inventory, "\(result.diagnostics)")
        }
        let before = try inventory("  n1: {mac: '02:00:00:00:00:01', ip: 10.0.0.11, image: a}\n"
                                   + "  n2: {mac: '02:00:00:00:00:02', ip: 10.0.0.12, image: a}")
        let after = try inventory("  n1: {mac: '02:00:00:00:00:01', ip: 10.0.0.11, image: b}\n"
                                  + "  n3: {mac: '02:00:00:00:00:03', ip: 10.0.0.13, image: a}")
        #expect(InventoryReloader.changes(from: before, to: after) == "added n3; removed n2; changed n1")
        #expect(InventoryReloader.changes(from: before, to: before) == "no node changed")
    }
}
