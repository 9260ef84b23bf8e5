import BootTimeline
import Dashboard
import Diagnostics
import DHCP
@testable import DHCPServer
import Foundation
import HexFixtures
import Inventory
import Leases
import Logging
@testable import NetworkSupport
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import Snapshot
import Testing

/// Who asks, and what the timeline, the doctor and the dashboard's waterfall say of it: architecture × vendor
/// class × user class × which MAC, as one table. Each client's DISCOVER (and REQUEST, when it was offered an
/// address) goes through the real DHCP path (the handler, the responder, the decision observer that records the
/// typed steps); the steps are then rendered by `TimelineReport`, `BootDoctor` and `Waterfall`, and compared with
/// `Golden/` (`NETROOT_REFRESH_GOLDEN=1` rewrites it).
@Suite struct BootEventTableTests {
    static let yaml = """
        server:
          interface: nr0
          address: 192.168.1.200
          http_boot_port: 8080
        networks:
          provision:
            subnet: 192.168.1.0/24
            lease_time: 1h
        images:
          alpha: {kernel: alpha/vmlinuz, initrd: alpha/initrd.gz, root_path: "nfs:192.168.1.200:/srv/alpha"}
          beta: {boot: ipxe, kernel: beta/vmlinuz, initrd: beta/initrd.gz, root_path: "nfs:192.168.1.200:/srv/beta"}
        nodes:
          node1: {mac: "52:54:00:00:00:01", ip: 192.168.1.11, image: alpha}
          node2: {mac: "52:54:00:00:00:02", ip: 192.168.1.12, image: beta}
        """
    static let server = IPv4Address("192.168.1.200")!
    static let start = 1_800_000_000.0

    static let architectures: [UInt16] = [0, 7, 9, 11, 16]
    /// Option 60 as firmware and clients send it (`%05d`: the architecture).
    static let vendorClasses: [(label: String, format: String?)] = [
        ("PXEClient", "PXEClient:Arch:%05d:UNDI:003000"),
        ("HTTPClient", "HTTPClient:Arch:%05d:UNDI:003000"),
        // iPXE's own: PXEClient with UNDI 2.1; only its user class tells it from a ROM.
        ("iPXE's", "PXEClient:Arch:%05d:UNDI:002001"),
        ("udhcp", "udhcp 1.36.1"),
        ("none", nil),
    ]
    static let userClasses: [(label: String, value: [UInt8]?)] = [("iPXE", Array("iPXE".utf8)), ("none", nil)]
    static let clients: [(label: String, mac: String)] = [
        ("node1 (pxelinux)", "52:54:00:00:00:01"), ("node2 (boot: ipxe)", "52:54:00:00:00:02"),
        ("unknown MAC", "52:54:00:00:00:99"),
    ]

    struct Case {
        var label: String
        var timeline: ClientTimeline?
        var subject: BootDoctor.Subject
        var now: Double
    }

    /// Every combination, each a fresh server.
    static func cases() throws -> [Case] {
        let parsed = InventoryLoader.parse(text: yaml, file: "nodes.yaml", baseDirectory: "/srv/config",
                                           fileExists: { _ in true })
        let inventory = try #require(parsed.inventory, "\(parsed.diagnostics)")
        var cases: [Case] = []
        for (clientLabel, mac) in clients {
            for architecture in architectures {
                for (vendorLabel, format) in vendorClasses {
                    for (userLabel, userClass) in userClasses {
                        let vendorClass = format.map { String(format: $0, Int(architecture)) }
                        let timeline = try exchange(inventory: inventory, mac: MACAddress(mac)!,
                                                    architecture: architecture, vendorClass: vendorClass,
                                                    userClass: userClass)
                        let profile = inventory.profile(mac: MACAddress(mac)!)
                        let subject = BootDoctor.Subject(
                            query: profile?.name ?? mac, profile: profile,
                            closestNode: profile == nil ? inventory.nodeName(closestTo: mac) : nil)
                        cases.append(Case(label: "\(clientLabel), arch \(architecture), vendor class \(vendorLabel), "
                                              + "user class \(userLabel)",
                                          timeline: timeline, subject: subject,
                                          now: (timeline?.last?.time ?? start) + 5))
                    }
                }
            }
        }
        return cases
    }

    /// DISCOVER, then REQUEST for what was offered, through a DHCP handler of its own; the client's timeline.
    static func exchange(inventory: Inventory, mac: MACAddress, architecture: UInt16, vendorClass: String?,
                         userClass: [UInt8]?) throws -> ClientTimeline? {
        let timeline = BootTimeline()
        let clock = NIOLockedValueBox(start)
        let interface = InterfaceInfo(name: "nr0", mac: MACAddress("02:00:00:00:02:00")!, addresses: [server],
                                      mtu: 1500)
        let handler = DHCPHandler(snapshots: SnapshotPublisher(inventory), store: FakeStore(events: EventLog()),
                                  leases: LeaseTable(), serverAddress: server, interface: interface, raw: nil,
                                  counters: DHCPCounters(), timeline: timeline, logger: Logger(label: "test"),
                                  clock: { clock.withLockedValue { $0 } })
        let channel = EmbeddedChannel()
        defer { _ = try? channel.finish() }
        try channel.pipeline.syncOperations.addHandler(handler)
        func send(_ message: DHCPMessage) throws -> [DHCPMessage] {
            var buffer = channel.allocator.buffer(capacity: 600)
            buffer.writeBytes(message.encoded(maximumSize: 1500))
            channel.pipeline.fireChannelRead(AddressedEnvelope(
                remoteAddress: try SocketAddress(ipAddress: "0.0.0.0", port: 68), data: buffer))
            channel.pipeline.fireChannelReadComplete()
            var replies: [DHCPMessage] = []
            while let envelope = try channel.readOutbound(as: AddressedEnvelope<ByteBuffer>.self) {
                replies.append(try DHCPMessage(decoding: envelope.data.readableBytesView))
            }
            return replies
        }
        var discover = try DHCPMessage(decoding: captured("udhcpc-discover"))
        discover.chaddr = mac.bytes + [UInt8](repeating: 0, count: 10)
        discover.options.vendorClassIdentifier = vendorClass
        discover.options[OptionCode.clientSystemArchitecture] = [UInt8(architecture >> 8), UInt8(architecture & 0xff)]
        discover.options[OptionCode.userClass] = userClass
        discover.options.parameterRequestList = [1, 3, 6, 12, 15, 17, 43, 60, 66, 67, 93]
        let offers = try send(discover)
        clock.withLockedValue { $0 += 0.5 }
        if let offer = offers.first, offer.options.messageType == .offer {
            var request = discover
            request.options.messageType = .request
            request.options.serverIdentifier = server
            request.options.requestedIPAddress = offer.yiaddr
            _ = try send(request)
        }
        return timeline.snapshot().first
    }

    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func check(_ text: String, _ name: String) {
        let mismatch = GoldenFile.mismatch(text, name)
        #expect(mismatch == nil, "\(mismatch ?? "")")
    }

    @Test("netroot status NODE for every client kind")
    func timelines() throws {
        var text = ""
        for entry in try Self.cases() {
            text += "## \(entry.label)\n"
            // The wall clock column depends on the machine's time zone: masked; the offsets stay.
            let shown = entry.timeline.map(TimelineReport.timeline) ?? "no timeline\n"
            text += shown.replacing(/(?m)^  \d\d:\d\d:\d\d\.\d\d\d/) { _ in "  hh:mm:ss.mmm" } + "\n"
        }
        Self.check(text, "dhcp-status.txt")
    }

    @Test("netroot doctor for every client kind")
    func doctor() throws {
        var text = ""
        for entry in try Self.cases() {
            text += "## \(entry.label)\n"
            for finding in BootDoctor.diagnose(entry.subject, timeline: entry.timeline, rogues: [], now: entry.now,
                                               serverStarted: Self.start - 60) {
                text += finding + "\n"
            }
            text += "\n"
        }
        Self.check(text, "dhcp-doctor.txt")
    }

    @Test("the dashboard's waterfall rows for every client kind")
    func waterfall() throws {
        var text = ""
        for entry in try Self.cases() {
            text += "## \(entry.label)\n"
            for bar in Waterfall.bars(entry.timeline?.events ?? []) { text += try Self.json(bar) + "\n" }
            text += "\n"
        }
        Self.check(text, "dhcp-waterfall.txt")
    }

    @Test("the steps themselves: typed, one DISCOVER per client, a PXE ROM's starts the boot")
    func typedSteps() throws {
        for entry in try Self.cases() {
            let events = try #require(entry.timeline?.events, "\(entry.label)")
            guard case let .dhcpRequest(type, client, _) = events.first?.step else {
                Issue.record("\(entry.label): starts with \(String(describing: events.first))")
                continue
            }
            #expect(type == .discover)
            #expect(events.first?.startsBoot == client.isPXEFirmware, "\(entry.label)")
            if entry.subject.profile == nil {
                #expect(events.last?.step == .unanswered(type: .discover, reason: .unknownClientWithoutPool),
                        "\(entry.label)")
            }
        }
    }
}
