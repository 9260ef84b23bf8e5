import BootTimeline
import DHCP
@testable import DHCPServer
import Foundation
import Inventory
import Logging
@testable import NetworkSupport
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import Snapshot
import Testing

/// What clients put in option 60 reaches the discovered machines, the boot timeline and their tables escaped:
/// a screen clear or a cursor-up / erase-line cannot hide rows from `nodes discovered` or `status`.
@Suite struct UntrustedClientTextTests {
    static let clearAndHide = "PXEClient\u{1b}[2J\u{1b}[1A\u{1b}[2K"
    static let clearAndHideShown = "PXEClient\\x1b[2J\\x1b[1A\\x1b[2K"

    static func hasEscapeByte(_ text: String) -> Bool { text.utf8.contains(0x1b) || text.unicodeScalars.contains("\u{9b}") }

    @Test func aSightingKeepsItsVendorClassEscaped() throws {
        let discover = try DiscoveryTests.pxeDiscover("52:54:00:00:01:01", vendorClass: Self.clearAndHide)
        let sighting = try #require(DiscoveredMachine.sighting(discover, type: .discover, knownNode: nil,
                                                                network: "provision", time: 5))
        #expect(sighting.vendorClass == Self.clearAndHideShown)
    }

    @Test func theDHCPPathRecordsEscapedTextInDiscoveryAndTimeline() throws {
        let inventory = try DiscoveryTests.inventory()
        let recorder = DiscoveryRecorder(path: "/nonexistent/\(UUID())/discovered.json", interval: 3600,
                                         logger: Logger(label: "test")) { [] }
        let timeline = BootTimeline()
        let server = IPv4Address("192.168.1.200")!
        let interface = InterfaceInfo(name: "nr0", mac: MACAddress("02:00:00:00:02:00")!, addresses: [server], mtu: 1500)
        let handler = DHCPHandler(snapshots: SnapshotPublisher(inventory), store: FakeStore(events: EventLog()),
                                  leases: LeaseTable(), serverAddress: server, interface: interface, raw: nil,
                                  counters: DHCPCounters(), timeline: timeline, logger: Logger(label: "test"),
                                  discovery: recorder, clock: { 1_800_000_000 })
        let channel = EmbeddedChannel()
        defer { _ = try? channel.finish() }
        try channel.pipeline.syncOperations.addHandler(handler)
        func send(_ message: DHCPMessage) throws {
            var buffer = channel.allocator.buffer(capacity: 600)
            buffer.writeBytes(message.encoded(maximumSize: 1500))
            channel.pipeline.fireChannelRead(AddressedEnvelope(
                remoteAddress: try SocketAddress(ipAddress: "0.0.0.0", port: 68), data: buffer))
            channel.pipeline.fireChannelReadComplete()
        }
        // A PXE ROM's DISCOVER with a hostile option 60: discovered, its vendor class escaped.
        try send(DiscoveryTests.pxeDiscover("52:54:00:00:01:0b", vendorClass: Self.clearAndHide))
        #expect(recorder.machines.map(\.vendorClass) == [Self.clearAndHideShown])
        // An OS's client names itself in option 60: the timeline's detail says it, escaped.
        try send(DiscoveryTests.pxeDiscover("52:54:00:00:01:0c", vendorClass: "udhcp\u{1b}[2J\nnetroot ready"))
        let details = timeline.snapshot().flatMap(\.events).map(BootEventText.detail)
        #expect(details.contains { $0.hasPrefix("udhcp\\x1b[2J\\x0anetroot ready") }, "\(details)")
        for client in timeline.snapshot() {
            #expect(!Self.hasEscapeByte(TimelineReport.timeline(client)))
        }
        #expect(!Self.hasEscapeByte(TimelineReport.table(timeline.snapshot(), now: 1_800_000_010)))
        #expect(!Self.hasEscapeByte(DiscoveryTable.render(recorder.machines)))
        #expect(DiscoveryTable.render(recorder.machines).contains(Self.clearAndHideShown))
    }

    @Test func aFileFromAnOlderRunIsEscapedOnLoadAndEscapedTextIsNotEscapedTwice() throws {
        // Written before text was escaped (or by hand): raw ESC, CSI and a newline in the vendor class.
        let old = Data("""
            {"version": 1, "machines": [
            {"count":1,"first_seen":100,"last_seen":100,"mac":"52:54:00:00:01:01",\
            "vendor_class":"PXEClient\\u001b[2J\\u009b1A\\n","network":"prov\\u001bision"}
            ]}
            """.utf8)
        let contents = DiscoveryFile.decode(old, path: "/x/discovered.json")
        #expect(contents.problem == nil)
        let machine = try #require(contents.machines.first)
        #expect(machine.vendorClass == "PXEClient\\x1b[2J\\x9b1A\\x0a")
        #expect(machine.network == "prov\\x1bision")
        // Saved and read again, as each restart does: unchanged, no backslash doubled.
        let again = DiscoveryFile.decode(DiscoveryFile.encode(contents.machines), path: "/x/discovered.json")
        #expect(again.machines == contents.machines)
    }

    @Test func theDiscoveryTableNeverWritesAControlCharacter() {
        // Even a machine that escaped nothing (built in memory) is drawn escaped, in aligned columns.
        let machines = [
            DiscoveredMachine(mac: "52:54:00:00:01:01", firstSeen: 0, lastSeen: 60, architecture: 7,
                              vendorClass: Self.clearAndHide, relay: "10.0.0.1\u{9b}2J", network: "prov\u{202e}"),
            DiscoveredMachine(mac: "52:54:00:00:01:02", firstSeen: 0, lastSeen: 0, vendorClass: "PXEClient"),
        ]
        let text = DiscoveryTable.render(machines)
        #expect(!Self.hasEscapeByte(text))
        #expect(!text.unicodeScalars.contains("\u{202e}"))
        // The header, two machines, and the note on LOCAL (52:54:00:… is locally administered).
        #expect(text.split(separator: "\n").count == 4)
        #expect(text.hasSuffix("\n" + DiscoveryTable.localNote))
        #expect(text.contains(Self.clearAndHideShown))
        #expect(text.contains("10.0.0.1\\x9b2J"))
        // Columns are measured on the escaped text: the last column starts at the same place on every line.
        let lines = text.split(separator: "\n").map(String.init)
        let column = lines[0].distance(from: lines[0].startIndex, to: lines[0].range(of: "VENDOR CLASS")!.lowerBound)
        #expect(lines[1].dropFirst(column).hasPrefix(Self.clearAndHideShown))
        #expect(lines[2].dropFirst(column) == "PXEClient")
    }
}
