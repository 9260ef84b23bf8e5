import BootTimeline
import Foundation
import Values
import Testing

@Suite("Boot timeline")
struct BootTimelineTests {
    private func dhcp(_ type: BootEvent.DHCPType, at time: Double, firmware: Bool = false) -> BootEvent {
        BootEvent(time: time, .dhcpRequest(type: type, client: .init(firmware ? .pxeFirmware(.bios) : .vendorClass("udhcp 1.35.0")),
                                           broadcast: false))
    }

    private func reply(_ type: BootEvent.ReplyType, _ address: String, at time: Double) -> BootEvent {
        BootEvent(time: time, .dhcpReply(.init(type: type, address: IPv4Address(address), delivery: .broadcast)))
    }

    private func file(_ path: String, at time: Double, via: BootEvent.FileTransfer.Via = .tftp,
                      status: BootEvent.FileTransfer.Status = .sent) -> BootEvent {
        BootEvent(time: time, .file(.init(path: path, via: via, bytes: 43_008, duration: 0.005, status: status)))
    }

    private func steps(_ timeline: ClientTimeline?) -> [String]? { timeline?.events.map(BootEventText.step) }

    @Test("TFTP steps from an address land on the node DHCP bound it to, even a pool client known only by MAC")
    func tftpFindsTheClientByItsAcknowledgedAddress() {
        let timeline = BootTimeline()
        timeline.record(dhcp(.discover, at: 1, firmware: true), client: "02:00:00:00:00:99", mac: "02:00:00:00:00:99")
        timeline.record(reply(.ack, "10.0.0.100", at: 2), client: "02:00:00:00:00:99", mac: nil, address: "10.0.0.100")
        timeline.record(file("pxelinux.0", at: 3),
                        from: "10.0.0.100", node: nil)
        let found = timeline.timeline(of: "02:00:00:00:00:99")
        #expect(steps(found) == ["DISCOVER", "ACK 10.0.0.100", "pxelinux.0"])
        #expect(found?.address == "10.0.0.100")
        #expect(timeline.timeline(of: "10.0.0.100")?.client == "02:00:00:00:00:99")
        #expect(timeline.snapshot().count == 1)
    }

    @Test("a TFTP client no DHCP exchange named is filed under the inventory's node, else its address")
    func tftpWithoutDHCP() {
        let timeline = BootTimeline()
        timeline.record(file("a", at: 1), from: "10.0.0.11", node: "node1")
        timeline.record(file("b", at: 2), from: "10.0.0.50", node: nil)
        #expect(steps(timeline.timeline(of: "node1")) == ["a"])
        #expect(timeline.timeline(of: "10.0.0.50")?.client == "10.0.0.50")
    }

    @Test("a firmware DISCOVER after the boot got past firmware DHCP starts a new boot; retransmissions do not")
    func newBootStartsAtFirmwareDiscover() {
        let timeline = BootTimeline()
        timeline.record(dhcp(.discover, at: 1, firmware: true), client: "n", mac: nil)
        timeline.record(reply(.offer, "10.0.0.11", at: 1.1), client: "n", mac: nil)
        timeline.record(dhcp(.discover, at: 2, firmware: true), client: "n", mac: nil)
        #expect(timeline.timeline(of: "n")?.events.count == 3)
        timeline.record(file("pxelinux.0", at: 3), from: "10.0.0.11", node: "n")
        timeline.record(dhcp(.discover, at: 100, firmware: true), client: "n", mac: nil)
        #expect(timeline.timeline(of: "n")?.events.map(\.time) == [100])
    }

    @Test("a power-on starts a new boot that the firmware's DISCOVER minutes later continues; a power off does not")
    func powerOnBeginsTheBoot() {
        let timeline = BootTimeline()
        let mac = "52:54:00:00:00:01"
        timeline.record(dhcp(.discover, at: 1, firmware: true), client: "node1", mac: mac)
        timeline.record(reply(.ack, "10.0.0.11", at: 2), client: "node1", mac: nil, address: "10.0.0.11")
        timeline.recordPower([BootEvent(time: 100, .power(action: .bootDevice(target: "pxe", persistent: false, uefi: false), failure: nil)),
                              BootEvent(time: 100.1, .power(action: .on, failure: nil))],
                             client: "node1", mac: mac)
        #expect(steps(timeline.timeline(of: "node1")) == ["boot device pxe (next boot)", "on"])
        // A real server's POST takes minutes: its first DISCOVER still belongs to the power-on.
        timeline.record(dhcp(.discover, at: 400, firmware: true), client: "node1", mac: mac)
        timeline.record(dhcp(.discover, at: 404, firmware: true), client: "node1", mac: mac)
        #expect(steps(timeline.timeline(of: "node1"))
                == ["boot device pxe (next boot)", "on", "DISCOVER", "DISCOVER"])
        timeline.recordPower([BootEvent(time: 500, .power(action: .off, failure: nil))], client: "node1", mac: mac)
        #expect(timeline.timeline(of: "node1")?.events.count == 5)
        #expect(timeline.timeline(of: "node1")?.events.last?.service == .power)
        // A power-on long ago, then nothing: a DISCOVER an hour later is a boot of its own.
        timeline.recordPower([BootEvent(time: 1000, .power(action: .on, failure: nil))],
                             client: "node2", mac: "52:54:00:00:00:02")
        timeline.record(dhcp(.discover, at: 1000 + 3600, firmware: true), client: "node2", mac: nil)
        #expect(steps(timeline.timeline(of: "node2")) == ["DISCOVER"])
    }

    @Test("a chain-loaded iPXE's own firmware DISCOVER continues the boot that fetched it")
    func chainLoadingIsOneBoot() {
        let timeline = BootTimeline()
        timeline.record(dhcp(.discover, at: 1, firmware: true), client: "n1", mac: "52:54:00:00:00:01")
        timeline.record(reply(.ack, "10.0.0.11", at: 2), client: "n1", mac: nil, address: "10.0.0.11")
        timeline.record(file("snponly.efi", at: 3), from: "10.0.0.11", node: "n1")
        timeline.record(dhcp(.discover, at: 5, firmware: true), client: "n1", mac: nil)
        #expect(steps(timeline.timeline(of: "n1")) == ["DISCOVER", "ACK 10.0.0.11", "snponly.efi", "DISCOVER"])
        // After a kernel, a firmware DISCOVER is a reboot: a new boot.
        timeline.record(file("alpha/vmlinuz", at: 6, via: .http, status: .http(code: 200, complete: true)), from: "10.0.0.11", node: "n1")
        timeline.record(dhcp(.discover, at: 8, firmware: true), client: "n1", mac: nil)
        #expect(steps(timeline.timeline(of: "n1")) == ["DISCOVER"])
    }

    @Test("memory stays bounded: old clients and old steps are dropped")
    func bounded() {
        let timeline = BootTimeline(maximumClients: 10, maximumUnknownClients: 10, maximumEvents: 5)
        for index in 0..<100 {
            timeline.record(dhcp(.discover, at: Double(index)), client: "c\(index)", mac: nil)
        }
        let clients = timeline.snapshot()
        #expect(clients.count <= 10)
        #expect(clients.first?.client == "c99")
        for index in 0..<20 { timeline.record(dhcp(.request, at: Double(200 + index)), client: "c99", mac: nil) }
        #expect(timeline.timeline(of: "c99")?.events.count == 5)
    }

    @Test("10,000 unknown (spoofed) clients evict none of 100 known nodes' timelines; the unknown stay under their own cap")
    func unknownClientsNeverEvictKnownNodes() {
        let timeline = BootTimeline()
        for index in 0..<100 {
            let time = Double(index)
            if index % 3 == 0 {
                // Heard through DHCP as the inventory's node.
                timeline.record(dhcp(.discover, at: time, firmware: true), client: "node\(index)", known: true,
                                mac: "52:54:00:00:00:01")
            } else if index % 3 == 1 {
                // Heard only through TFTP from an address the inventory gives it.
                timeline.record(file("pxelinux.0", at: time), from: "10.0.1.\(index)", node: "node\(index)")
            } else {
                // Heard only through netroot power.
                timeline.recordPower([BootEvent(time: time, .power(action: .on, failure: nil))],
                                     client: "node\(index)", mac: nil)
            }
        }
        // The flood comes after: every known node is older than every stranger.
        for index in 0..<10_000 {
            let mac = String(format: "02:00:00:00:%02x:%02x", index >> 8, index & 0xFF)
            timeline.record(dhcp(.discover, at: 1_000 + Double(index), firmware: true), client: mac, mac: mac)
            // Some strangers also fetch a file from an address no node has.
            if index % 10 == 0 { timeline.record(file("pxelinux.0", at: 1_000 + Double(index)), from: "10.9.\(index >> 8).\(index & 0xFF)", node: nil) }
        }
        for index in 0..<100 {
            #expect(timeline.timeline(of: "node\(index)")?.events.count == 1, "node\(index) was evicted")
        }
        let clients = timeline.snapshot()
        #expect(clients.count <= 100 + timeline.maximumUnknownClients)
        #expect(clients.count > 100)
        // The most recent stranger is kept; the earliest were evicted among themselves.
        #expect(timeline.timeline(of: "02:00:00:00:27:0f") != nil)
        #expect(timeline.timeline(of: "02:00:00:00:00:00") == nil)
    }

    @Test("known nodes are evicted by known nodes only, past their own cap")
    func knownNodesHaveTheirOwnCap() {
        let timeline = BootTimeline(maximumClients: 10, maximumUnknownClients: 5)
        for index in 0..<20 {
            timeline.record(dhcp(.discover, at: Double(index)), client: "node\(index)", known: true, mac: nil)
        }
        for index in 0..<50 {
            timeline.record(dhcp(.discover, at: 100 + Double(index)), client: "stranger\(index)", mac: nil)
        }
        let known = timeline.snapshot().filter { $0.client.hasPrefix("node") }
        #expect(known.count <= 10 && known.count >= 9)
        #expect(known.contains { $0.client == "node19" })
        #expect(timeline.snapshot().filter { $0.client.hasPrefix("stranger") }.count <= 5)
    }

    @Test("the status table names each client's last step and marks a failure")
    func table() {
        let timeline = ClientTimeline(client: "node1", mac: "52:54:00:c0:ff:01", address: "10.0.0.11", events: [
            dhcp(.discover, at: 1_000),
            file("tiny/vmlinuz", at: 1_012.5, status: .timedOut(blocks: 3)),
        ])
        let text = TimelineReport.table([timeline], now: 1_020)
        let lines = text.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[0].hasPrefix("NODE"))
        #expect(lines[1].contains("node1"))
        #expect(lines[1].contains("tftp tiny/vmlinuz (failed)"))
        #expect(lines[1].contains("7 s ago"))
        #expect(lines[1].hasSuffix("12.5 s"))
        let detail = TimelineReport.timeline(timeline)
        #expect(detail.contains("+12.5 s"))
        #expect(detail.contains("FAILED timed out after 3 blocks"))
    }

    @Test("sizes and durations read as an administrator writes them")
    func units() {
        #expect(TimelineReport.size(512) == "512 B")
        #expect(TimelineReport.size(46_080) == "45.0 KiB")
        #expect(TimelineReport.size(8 << 20) == "8.0 MiB")
        #expect(TimelineReport.seconds(0.0123) == "12 ms")
        #expect(TimelineReport.seconds(27.94) == "27.9 s")
    }
}
