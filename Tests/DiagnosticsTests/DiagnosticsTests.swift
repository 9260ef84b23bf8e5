import BootTimeline
@testable import Diagnostics
import Foundation
@testable import Inventory
import Testing

@Suite("Rogue DHCP servers in captured frames")
struct RogueDetectorTests {
    static let offer = capturedFrame("dnsmasq-offer.hex")

    @Test("dnsmasq's OFFER is another server's: its address, MAC, the client and the offered address")
    func dnsmasqOffer() throws {
        let sighting = try #require(RogueDetector.inspect(Self.offer, ours: [IPv4Address("10.208.0.1")!], time: 5))
        #expect(sighting.serverIP == IPv4Address("10.208.0.200"))
        #expect(sighting.client == MACAddress("02:00:00:00:66:01"))
        #expect(sighting.type == .offer)
        #expect((150...160).contains(sighting.offered.value & 0xff))
        #expect(sighting.serverMAC == MACAddress(bytes: Array(Self.offer[6..<12])))
    }

    @Test("our own replies and broken frames are not sightings")
    func notRogue() {
        #expect(RogueDetector.inspect(Self.offer, ours: [IPv4Address("10.208.0.200")!], time: 0) == nil)
        for length in [0, 13, 20, 33, 41, 100, 250] {
            #expect(RogueDetector.inspect(Array(Self.offer.prefix(length)), ours: [], time: 0) == nil)
        }
        var request = Self.offer
        request[42] = 1 // BOOTREQUEST
        #expect(RogueDetector.inspect(request, ours: [], time: 0) == nil)
    }

    @Test("a server is one record, however often it answers (its log lines are the log throttle's)")
    func oneRecordPerServer() throws {
        let servers = RogueServers()
        var sighting = try #require(RogueDetector.inspect(Self.offer, ours: [], time: 100))
        servers.record(sighting)
        sighting.time = 200
        servers.record(sighting)
        sighting.time = 701
        servers.record(sighting)
        #expect(servers.list().count == 1)
        #expect(servers.list().first?.firstSeen == 100)
        #expect(servers.list().first?.lastSeen == 701)
        #expect(servers.list().first?.replies == 3)
        #expect(servers.list().first?.clients == ["02:00:00:00:66:01"])
    }
}

@Suite("The doctor's diagnoses")
struct BootDoctorTests {
    let inventory: Inventory = {
        let text = """
            server: {interface: br0, tftp_root: /srv/tftp}
            networks: {lan: {subnet: 10.0.0.0/24}}
            images: {tiny: {kernel: tiny/vmlinuz, initrd: tiny/initrd.gz, root_path: "nfs:10.0.0.1:/srv/tiny"}}
            nodes:
              n1: {mac: "52:54:00:00:00:01", ip: 10.0.0.11, image: tiny}
            """
        return InventoryLoader.parse(text: text, file: "nodes.yaml", baseDirectory: "/", fileExists: { _ in true })
            .inventory!
    }()

    private func event(_ time: Double, _ service: BootEvent.Service, _ step: String, _ detail: String = "",
                       failed: Bool = false) -> BootEvent {
        BootEvent(time: time, service: service, step: step, detail: detail, outcome: failed ? .failed : .ok,
                  startsBoot: step == "DISCOVER" && detail.hasPrefix("PXE firmware"))
    }

    private var firmwareDHCP: [BootEvent] {
        [event(0, .dhcp, "DISCOVER", "PXE firmware, BIOS"), event(0, .dhcp, "OFFER 10.0.0.11"),
         event(0.1, .dhcp, "REQUEST", "PXE firmware, BIOS"), event(0.1, .dhcp, "ACK 10.0.0.11", "bootfile pxelinux.0")]
    }

    private func diagnose(_ events: [BootEvent], rogues: [RogueServer] = [], now: Double = 1000) -> [String] {
        let subject = BootDoctor.Subject(query: "n1", profile: inventory.profile(named: "n1"))
        let timeline = ClientTimeline(client: "n1", mac: "52:54:00:00:00:01", events: events)
        return BootDoctor.diagnose(subject, timeline: timeline, rogues: rogues, now: now, serverStarted: 0)
    }

    @Test("an OFFER without a REQUEST while another server answered the client: that server took it")
    func rogueTookTheClient() {
        let rogue = RogueServer(ip: "10.0.0.200", mac: "02:00:00:00:00:c8", firstSeen: 0, lastSeen: 0, replies: 1,
                                clients: ["52:54:00:00:00:01"], lastReply: "OFFER 10.0.0.150 to 52:54:00:00:00:01")
        let findings = diagnose(Array(firmwareDHCP.prefix(2)), rogues: [rogue])
        #expect(findings.first?.contains("no REQUEST followed: another DHCP server (10.0.0.200) answered first") == true)
        #expect(findings.last?.hasPrefix("another DHCP server, 10.0.0.200") == true)
    }

    @Test("kernel never requested after the config; initrd fetched and no second DHCP; a complete boot")
    func stages() {
        let config = firmwareDHCP + [event(1, .tftp, "pxelinux.0"), event(1.2, .tftp, "pxelinux.cfg/01-52-54-00-00-00-01")]
        #expect(diagnose(config)[0].contains("the kernel tiny/vmlinuz never was"))
        let initrd = config + [event(3, .tftp, "tiny/vmlinuz"), event(4, .tftp, "tiny/initrd.gz")]
        #expect(diagnose(initrd)[0].contains("no DHCP request followed: the initramfs did not start networking"))
        #expect(diagnose(initrd, now: 20)[0].hasPrefix("in progress"))
        let booted = initrd + [event(9, .dhcp, "DISCOVER", "udhcp 1.35.0"),
                               event(9.1, .dhcp, "ACK 10.0.0.11", "root-path nfs:10.0.0.1:/srv/tiny, unicast")]
        #expect(diagnose(booted) == ["booted to its initramfs: ACK 10.0.0.11 16 min ago, 9.1 s after its first DHCP "
                                     + "request; root-path nfs:10.0.0.1:/srv/tiny"])
    }

    @Test("powered on through the BMC and no DHCP since; a power action that failed; power steps before a boot")
    func powerOnly() {
        let on = BootEvent(time: 100, service: .power, step: "on", startsBoot: true)
        #expect(diagnose([on], now: 400)[0].hasPrefix("n1 (52:54:00:00:00:01) was powered on through its BMC 5 min ago "
                                                      + "(power on) but no DHCP request since: check that the boot order"))
        #expect(diagnose([on], now: 110)[0].contains("no DHCP request yet"))
        let refused = BootEvent(time: 100, service: .power, step: "boot", detail: "wrong username or password",
                                outcome: .failed)
        #expect(diagnose([refused], now: 160) == ["the last power action on n1 (52:54:00:00:00:01) failed 1 min ago: "
                                                  + "boot: wrong username or password"])
        // Power steps in front do not change what a DHCP boot's diagnosis says.
        let rest = firmwareDHCP.map { event -> BootEvent in
            var later = event
            later.time += 200
            return later
        }
        #expect(diagnose([on] + rest, now: 1000)[0] == diagnose(rest, now: 1000)[0])
    }

    @Test("an iPXE boot over HTTP reads like a TFTP one: a missing initrd is named, a complete one is booted")
    func overHTTP() {
        let script = event(1, .http, "ipxe/01-52-54-00-00-00-01.ipxe", "HTTP 200, 280 B in 1 ms")
        let kernel = event(2, .http, "tiny/vmlinuz", "HTTP 200, 7.9 MiB in 0.3 s")
        let missing = event(2.5, .http, "tiny/initrd.gz", "HTTP 404", failed: true)
        #expect(diagnose(firmwareDHCP + [script, kernel, missing])[0].hasPrefix("HTTP tiny/initrd.gz failed"))
        let initrd = event(3, .http, "tiny/initrd.gz", "HTTP 200, 1.2 MiB in 0.1 s")
        let booted = firmwareDHCP + [script, kernel, initrd, event(9, .dhcp, "DISCOVER", "udhcp 1.35.0"),
                                     event(9.1, .dhcp, "ACK 10.0.0.11", "root-path nfs:10.0.0.1:/srv/tiny, unicast")]
        #expect(diagnose(booted)[0].hasPrefix("booted to its initramfs: ACK 10.0.0.11"))
        #expect(diagnose(firmwareDHCP + [script])[0].contains("the kernel tiny/vmlinuz never was"))
    }

    @Test("a MAC one digit off a node's is suggested as that node")
    func closestMAC() {
        #expect(inventory.nodeName(closestTo: "52:54:00:00:00:0f") == "n1")
        #expect(inventory.nodeName(closestTo: "52:54:00:00:ff:ff") == nil)
    }
}
