import BootTimeline
import Dashboard
import Diagnostics
import Foundation
import Inventory
import Testing

@Suite("Dashboard: state and node detail")
struct DashboardStateTests {
    let inventory: Inventory = {
        let text = """
            server: {interface: br0, tftp_root: /srv/tftp}
            networks: {lan: {subnet: 10.0.0.0/24}}
            images: {tiny: {kernel: tiny/vmlinuz, initrd: tiny/initrd.gz, root_path: "nfs:10.0.0.1:/srv/tiny"}}
            groups: {rack1: {image: tiny}}
            nodes:
              n1: {mac: "52:54:00:00:00:01", ip: 10.0.0.11, groups: [rack1],
                   bmc: {address: 10.1.0.11, username: admin, password: hunter2}}
              n2: {mac: "52:54:00:00:00:02", ip: 10.0.0.12, image: tiny}
            """
        return InventoryLoader.parse(text: text, file: "nodes.yaml", baseDirectory: "/", fileExists: { _ in true })
            .inventory!
    }()

    private func timeline() -> BootTimeline {
        let timeline = BootTimeline()
        timeline.record(BootEvent(time: 10, .dhcpRequest(type: .discover, client: .init(.pxeFirmware(.bios)),
                                                    broadcast: false)), client: "n1", mac: "52:54:00:00:00:01")
        timeline.record(BootEvent(time: 10.1, .dhcpReply(.init(type: .ack, address: IPv4Address("10.0.0.11"),
                                                                delivery: .broadcast))), client: "n1", mac: nil,
                        address: "10.0.0.11")
        timeline.record(BootEvent(time: 11, .file(.init(path: "tiny/vmlinuz", via: .tftp, bytes: 8_283_750,
                                                        duration: 1, status: .sent))),
                        from: "10.0.0.11", node: "n1")
        timeline.record(BootEvent(time: 12, .dhcpRequest(type: .discover, client: .init(.pxeFirmware(.uefi(architecture: 7))),
                                                    broadcast: false)), client: "02:00:00:00:00:99", mac: "02:00:00:00:00:99")
        return timeline
    }

    @Test("every node of nodes.yaml is a tile, seen or not; other clients go to the unknown panel")
    func state() throws {
        let timeline = timeline()
        let state = DashboardBuilder.state(inventory: inventory, timelines: timeline.snapshot(),
                                           version: timeline.version, rogues: [], discovered: nil, now: 20,
                                           startedAt: 1)
        #expect(state.nodes.map(\.name) == ["n1", "n2"])
        #expect(state.nodes[0].stage == .kernel && state.nodes[0].since == 11)
        #expect(state.nodes[0].groups == ["rack1"] && state.nodes[0].image == "tiny")
        #expect(state.nodes[0].lastStep == "tftp tiny/vmlinuz")
        #expect(state.nodes[1].stage == .unseen && state.nodes[1].lastStep == nil)
        #expect(state.unknown.map(\.client) == ["02:00:00:00:00:99"])
        #expect(state.unknown[0].stage == .dhcp)
        #expect(!state.discovery)
        // No secret in the page's data: the BMC's password (nor even its address) never appears.
        let json = String(decoding: try JSONEncoder().encode(state), as: UTF8.self)
        #expect(!json.contains("hunter2") && !json.contains("10.1.0.11"))
    }

    @Test("discovery's machines join the unknown panel, merged with the timeline's by MAC, in first-seen order")
    func discovered() {
        let timeline = timeline()
        let machines = [UnknownTile(client: "02:00:00:00:00:98", mac: "02:00:00:00:00:98", firstSeen: 5, count: 3),
                        UnknownTile(client: "02:00:00:00:00:99", mac: "02:00:00:00:00:99", firstSeen: 8,
                                    architecture: 7, vendorClass: "PXEClient:Arch:00007", count: 2)]
        let state = DashboardBuilder.state(inventory: inventory, timelines: timeline.snapshot(), version: 1,
                                           rogues: [], discovered: machines, now: 20, startedAt: 1)
        #expect(state.discovery)
        #expect(state.unknown.map(\.client) == ["02:00:00:00:00:98", "02:00:00:00:00:99"])
        #expect(state.unknown[1].architecture == 7 && state.unknown[1].stage == .dhcp && state.unknown[1].count == 2)
    }

    @Test("an update carries only the changed clients")
    func update() {
        let timeline = timeline()
        let version = timeline.version
        timeline.record(BootEvent(time: 13, .file(.init(path: "tiny/initrd.gz", via: .tftp, status: .sent))), from: "10.0.0.11", node: "n1")
        let (latest, changed) = timeline.changes(since: version)
        let update = DashboardBuilder.update(inventory: inventory, changed: changed, version: latest, rogues: [],
                                             now: 14)
        #expect(update.nodes.map(\.name) == ["n1"] && update.nodes[0].stage == .initrd)
        #expect(update.unknown.isEmpty && update.version == latest)
        // An unknown client's row in an update carries discovery's facts too.
        timeline.record(BootEvent(time: 14, .dhcpRequest(type: .request, client: .init(.pxeFirmware(.uefi(architecture: 7))),
                                                    broadcast: false)),
                        client: "02:00:00:00:00:99", mac: nil)
        let machine = UnknownTile(client: "02:00:00:00:00:99", mac: "02:00:00:00:00:99", firstSeen: 8, architecture: 7)
        let unknown = DashboardBuilder.update(inventory: inventory, changed: timeline.changes(since: latest).clients,
                                              version: 0, rogues: [], discovered: { [machine] }, now: 15).unknown
        #expect(unknown.count == 1 && unknown[0].architecture == 7 && unknown[0].lastStep == "dhcp REQUEST")
    }

    @Test("a node's detail: its bars and the doctor's words, as `netroot doctor` says them")
    func detail() {
        let timeline = timeline()
        let detail = NodeDetail.build(query: "n1", inventory: inventory, timeline: timeline.timeline(of: "n1"),
                                      rogues: [], now: 100, serverStarted: 1)
        #expect(detail.name == "n1" && detail.address == "10.0.0.11" && detail.stage == .kernel)
        #expect(detail.bars.map(\.step) == ["DISCOVER → ACK 10.0.0.11", "tiny/vmlinuz"])
        #expect(detail.diagnosis == ["the kernel was fetched but the initrd tiny/initrd.gz never was: check the INITRD line"])
        let unseen = NodeDetail.build(query: "n2", inventory: inventory, timeline: nil, rogues: [], now: 100,
                                      serverStarted: 1)
        #expect(unseen.stage == .unseen && unseen.bars.isEmpty)
        #expect(unseen.diagnosis.first?.hasPrefix("no DHCP request seen from n2") == true)
    }
}
