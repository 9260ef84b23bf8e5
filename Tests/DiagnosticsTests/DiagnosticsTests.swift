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

    private func request(_ time: Double, _ type: BootEvent.DHCPType, firmware: Bool) -> BootEvent {
        BootEvent(time: time, .dhcpRequest(type: type, client: .init(firmware ? .pxeFirmware(.bios)
                                                                              : .vendorClass("udhcp 1.35.0")),
                                           broadcast: false))
    }

    private func reply(_ time: Double, _ type: BootEvent.ReplyType, bootfile: String? = nil, rootPath: String? = nil,
                       delivery: BootEvent.Delivery = .broadcast) -> BootEvent {
        BootEvent(time: time, .dhcpReply(.init(type: type, address: IPv4Address("10.0.0.11"), bootfile: bootfile,
                                               rootPath: rootPath, delivery: delivery)))
    }

    private func file(_ time: Double, _ via: BootEvent.FileTransfer.Via, _ path: String, bytes: Int = 1024,
                      failed: Bool = false) -> BootEvent {
        let status: BootEvent.FileTransfer.Status = switch via {
        case .tftp: failed ? .refused(code: 1, message: "file not found") : .sent
        case .http: .http(code: failed ? 404 : 200, complete: true)
        }
        return BootEvent(time: time, .file(.init(path: path, via: via, bytes: bytes, duration: 0.1, status: status)))
    }

    private var firmwareDHCP: [BootEvent] {
        [request(0, .discover, firmware: true), reply(0, .offer),
         request(0.1, .request, firmware: true), reply(0.1, .ack, bootfile: "pxelinux.0")]
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
        let config = firmwareDHCP + [file(1, .tftp, "pxelinux.0"), file(1.2, .tftp, "pxelinux.cfg/01-52-54-00-00-00-01")]
        #expect(diagnose(config)[0].contains("the kernel tiny/vmlinuz never was"))
        let initrd = config + [file(3, .tftp, "tiny/vmlinuz"), file(4, .tftp, "tiny/initrd.gz")]
        #expect(diagnose(initrd)[0].contains("no DHCP request followed: the initramfs did not start networking"))
        #expect(diagnose(initrd, now: 20)[0].hasPrefix("in progress"))
        let booted = initrd + [request(9, .discover, firmware: false),
                               reply(9.1, .ack, rootPath: "nfs:10.0.0.1:/srv/tiny",
                                           delivery: .unicast(IPv4Address("10.0.0.11")!))]
        #expect(diagnose(booted) == ["booted to its initramfs: ACK 10.0.0.11 16 min ago, 9.1 s after its first DHCP "
                                     + "request; root-path nfs:10.0.0.1:/srv/tiny"])
    }

    @Test("powered on through the BMC and no DHCP since; a power action that failed; power steps before a boot")
    func powerOnly() {
        let on = BootEvent(time: 100, .power(action: .on, failure: nil))
        #expect(diagnose([on], now: 400)[0].hasPrefix("n1 (52:54:00:00:00:01) was powered on through its BMC 5 min ago "
                                                      + "(power on) but no DHCP request since: check that the boot order"))
        #expect(diagnose([on], now: 110)[0].contains("no DHCP request yet"))
        let refused = BootEvent(time: 100, .power(action: .networkBoot(uefi: false),
                                                 failure: "wrong username or password"))
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
        let script = file(1, .http, "ipxe/01-52-54-00-00-00-01.ipxe", bytes: 280)
        let kernel = file(2, .http, "tiny/vmlinuz", bytes: 8_283_750)
        let missing = file(2.5, .http, "tiny/initrd.gz", failed: true)
        #expect(diagnose(firmwareDHCP + [script, kernel, missing])[0].hasPrefix("HTTP tiny/initrd.gz failed"))
        let initrd = file(3, .http, "tiny/initrd.gz", bytes: 1_258_291)
        let booted = firmwareDHCP + [script, kernel, initrd, request(9, .discover, firmware: false),
                                     reply(9.1, .ack, rootPath: "nfs:10.0.0.1:/srv/tiny",
                                           delivery: .unicast(IPv4Address("10.0.0.11")!))]
        #expect(diagnose(booted)[0].hasPrefix("booted to its initramfs: ACK 10.0.0.11"))
        #expect(diagnose(firmwareDHCP + [script])[0].contains("the kernel tiny/vmlinuz never was"))
    }

    @Test("a MAC one digit off a node's is suggested as that node")
    func closestMAC() {
        #expect(inventory.nodeName(closestTo: "52:54:00:00:00:0f") == "n1")
        #expect(inventory.nodeName(closestTo: "52:54:00:00:ff:ff") == nil)
    }
}
