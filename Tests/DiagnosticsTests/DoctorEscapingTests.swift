import BootTimeline
import Diagnostics
import Inventory
import Testing

/// `netroot doctor` quotes the timeline: a client's file name or a BMC's message reaches its lines escaped.
@Suite struct DoctorEscapingTests {
    @Test func findingsQuoteClientTextEscaped() throws {
        let text = """
            server: {interface: br0, tftp_root: /srv/tftp}
            networks: {lan: {subnet: 10.0.0.0/24}}
            images: {tiny: {kernel: tiny/vmlinuz, initrd: tiny/initrd.gz}}
            nodes:
              n1: {mac: "52:54:00:00:00:01", ip: 10.0.0.11, image: tiny}
            """
        let inventory = try #require(InventoryLoader.parse(text: text, file: "nodes.yaml", baseDirectory: "/",
                                                           fileExists: { _ in true }).inventory)
        let events = [
            BootEvent(time: 0, .dhcpRequest(type: .discover, client: .init(.pxeFirmware(.bios)), broadcast: false)),
            BootEvent(time: 0.1, .dhcpReply(.init(type: .ack, address: IPv4Address("10.0.0.11"), bootfile: "pxelinux.0",
                                                  delivery: .broadcast))),
            // Recorded by a server before escaping existed, or by hand: the doctor escapes what it quotes.
            BootEvent(time: 1, .file(.init(path: "x\u{1b}[2J\nnetroot ready", via: .tftp,
                                           status: .refused(code: 1, message: "file not found\u{9b}1A")))),
        ]
        let timeline = ClientTimeline(client: "n1", mac: "52:54:00:00:00:01", events: events)
        let findings = BootDoctor.diagnose(BootDoctor.Subject(query: "n1", profile: inventory.profile(named: "n1")),
                                           timeline: timeline, rogues: [], now: 100, serverStarted: 0)
        let all = findings.joined()
        #expect(!all.unicodeScalars.contains { $0.value < 0x20 || (0x7f...0x9f).contains($0.value) })
        #expect(findings.first?.hasPrefix("TFTP x\\x1b[2J\\x0anetroot ready failed") == true, "\(findings)")
        #expect(all.contains("file not found\\x9b1A"))
    }
}
