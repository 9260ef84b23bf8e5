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

/// Discovery of unknown PXE machines: the book (merge, order, bound), its file, sightings and `nodes adopt`'s plan.
@Suite struct DiscoveryTests {
    static func machine(_ last: UInt8, first: Double, lastSeen: Double? = nil, network: String? = "provision")
        -> DiscoveredMachine {
        DiscoveredMachine(mac: String(format: "52:54:00:00:01:%02x", last), firstSeen: first,
                          lastSeen: lastSeen ?? first, architecture: 0, vendorClass: "PXEClient:Arch:00000:UNDI:002001",
                          network: network)
    }

    static let yaml = """
        server:
          interface: nr0
          address: 192.168.1.200
          state_dir: /var/lib/netroot
          bootfile: {bios: pxelinux.0, uefi: efi64/syslinux.efi}
        networks:
          provision:
            subnet: 192.168.1.0/24
            pool: 192.168.1.100-192.168.1.150
        images:
          rhel6: {kernel: rhel6/vmlinuz, root_path: "nfs:192.168.1.200:/srv/rhel6", cmdline: root=dhcp}
        nodes:
          rack17: {mac: "52:54:00:00:00:17", ip: 192.168.1.1, image: rhel6}
          compute2: {mac: "52:54:00:12:34:56", ip: 192.168.1.3, image: rhel6}
        """

    static func inventory() throws -> Inventory {
        let parsed = InventoryLoader.parse(text: yaml, file: "nodes.yaml", baseDirectory: "/srv/config",
                                           fileExists: { _ in true })
        return try #require(parsed.inventory, "\(parsed.diagnostics)")
    }

    /// An unknown machine's PXE ROM (iPXE's captured BIOS DISCOVER with option 60 PXEClient) from `mac`.
    static func pxeDiscover(_ mac: String, vendorClass: String? = "PXEClient:Arch:00000:UNDI:002001") throws
        -> DHCPMessage {
        var discover = try DHCPMessage(decoding: captured("udhcpc-discover"))
        discover.chaddr = MACAddress(mac)!.bytes + [UInt8](repeating: 0, count: 10)
        discover.options.vendorClassIdentifier = vendorClass
        discover.options[OptionCode.clientSystemArchitecture] = [0, 0]
        return discover
    }

    // MARK: the book

    @Test func aMachineSeenAgainKeepsItsFirstSightingAndCountsTheRest() {
        var book = DiscoveryBook()
        book.record(Self.machine(1, first: 100))
        var again = Self.machine(1, first: 160)
        again.relay = "10.0.0.1"
        book.record(again)
        #expect(book.machines == [DiscoveredMachine(mac: "52:54:00:00:01:01", firstSeen: 100, lastSeen: 160,
                                                    architecture: 0, vendorClass: "PXEClient:Arch:00000:UNDI:002001",
                                                    relay: "10.0.0.1", network: "provision", count: 2)])
    }

    @Test func machinesAreListedInTheOrderTheyWereFirstSeen() {
        var book = DiscoveryBook()
        book.record(Self.machine(3, first: 300))
        book.record(Self.machine(1, first: 100, lastSeen: 900))
        book.record(Self.machine(2, first: 200))
        book.record(Self.machine(1, first: 950))
        #expect(book.machines.map(\.mac) == ["52:54:00:00:01:01", "52:54:00:00:01:02", "52:54:00:00:01:03"])
    }

    @Test func aFullBookForgetsTheLongestUnseenFirst() {
        var book = DiscoveryBook(capacity: 16)
        for index in 0..<16 { book.record(Self.machine(UInt8(index), first: Double(index), lastSeen: Double(1000 - index))) }
        book.record(Self.machine(200, first: 2000))
        #expect(book.count <= 16)
        #expect(book.machines.contains { $0.mac == "52:54:00:00:01:c8" })
        // The longest unseen is the one with the smallest last_seen: index 15.
        #expect(!book.machines.contains { $0.mac == "52:54:00:00:01:0f" })
        #expect(book.machines.contains { $0.mac == "52:54:00:00:01:00" })
        for index in 0..<10_000 { book.record(Self.machine(UInt8(index % 256), first: Double(3000 + index))) }
        #expect(book.count <= 16)
    }

    @Test func adoptedMachinesAreRemoved() {
        var book = DiscoveryBook(machines: [Self.machine(1, first: 1), Self.machine(2, first: 2)])
        let first = book.remove(["52:54:00:00:01:01"])
        let second = book.remove(["52:54:00:00:01:01"])
        #expect(first && !second)
        #expect(book.machines.map(\.mac) == ["52:54:00:00:01:02"])
    }

    // MARK: the file

    @Test func theFileRoundTrips() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("discovery-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = DiscoveryFile.path(stateDirectory: directory)
        #expect(DiscoveryFile.read(path: path) == DiscoveryFile.Contents(machines: []))
        var relayed = Self.machine(2, first: 200.5, network: nil)
        relayed.relay = "10.1.0.1"
        relayed.architecture = nil
        let machines = [Self.machine(1, first: 100), relayed]
        try DiscoveryFile.save(machines, to: path)
        #expect(DiscoveryFile.read(path: path) == DiscoveryFile.Contents(machines: machines))
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("\"first_seen\":100"))
        #expect(text.contains("\"vendor_class\":\"PXEClient:Arch:00000:UNDI:002001\""))
    }

    @Test func aTornOrForeignFileIsReadAsEmptyWithAProblem() {
        let good = DiscoveryFile.encode([Self.machine(1, first: 100), Self.machine(2, first: 200)])
        for bad in [good.prefix(good.count / 2), Data("not json".utf8), Data(), Data("{\"version\": 9, \"machines\": []}".utf8)] {
            let contents = DiscoveryFile.decode(Data(bad), path: "/x/discovered.json")
            #expect(contents.machines.isEmpty)
            #expect(contents.problem?.hasPrefix("/x/discovered.json") == true)
        }
    }

    // MARK: sightings

    @Test func onlyAnUnknownMachinesBootFirmwareIsASighting() throws {
        let unknown = "52:54:00:00:01:01"
        let sighting = try #require(DiscoveredMachine.sighting(Self.pxeDiscover(unknown), type: .discover,
                                                                knownNode: nil, network: "provision", time: 5))
        #expect(sighting == DiscoveredMachine(mac: unknown, firstSeen: 5, lastSeen: 5, architecture: 0,
                                              vendorClass: "PXEClient:Arch:00000:UNDI:002001", network: "provision"))
        #expect(DiscoveredMachine.sighting(try Self.pxeDiscover(unknown, vendorClass: "HTTPClient:Arch:00016"),
                                           type: .request, knownNode: nil, network: nil, time: 5) != nil)
        #expect(DiscoveredMachine.sighting(try Self.pxeDiscover(unknown), type: .discover, knownNode: "rack17",
                                           network: nil, time: 5) == nil)
        #expect(DiscoveredMachine.sighting(try Self.pxeDiscover(unknown, vendorClass: "udhcp 1.36.1"),
                                           type: .discover, knownNode: nil, network: nil, time: 5) == nil)
        #expect(DiscoveredMachine.sighting(try Self.pxeDiscover(unknown), type: .release, knownNode: nil,
                                           network: nil, time: 5) == nil)
        // iPXE says so in option 77 or 175, whatever its option 60.
        var ipxe = try DHCPMessage(decoding: captured("ipxe-bios-discover"))
        ipxe.options.vendorClassIdentifier = nil
        #expect(DiscoveredMachine.sighting(ipxe, type: .discover, knownNode: nil, network: nil, time: 5) != nil)
    }

    // MARK: the DHCP path

    @Test func theHandlerRemembersUnknownPXEMachinesAndWritesThemThrottled() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("discovery-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = DiscoveryFile.path(stateDirectory: directory)
        let inventory = try Self.inventory()
        // An hour between writes: after the first, nothing more is written until stop.
        let recorder = DiscoveryRecorder(path: path, interval: 3600, logger: Logger(label: "test")) {
            Set(inventory.nodes.map { "\($0.mac)" })
        }
        let server = IPv4Address("192.168.1.200")!
        let interface = InterfaceInfo(name: "nr0", mac: MACAddress("02:00:00:00:02:00")!, addresses: [server], mtu: 1500)
        let clock = NIOLockedValueBox<Double>(1_800_000_000)
        let handler = DHCPHandler(snapshots: SnapshotPublisher(inventory), store: FakeStore(events: EventLog()),
                                  leases: LeaseTable(), serverAddress: server, interface: interface, raw: nil,
                                  counters: DHCPCounters(), timeline: BootTimeline(), logger: Logger(label: "test"),
                                  discovery: recorder, clock: { clock.withLockedValue { $0 } })
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
        try send(Self.pxeDiscover("52:54:00:00:01:0b"))
        try send(Self.pxeDiscover("52:54:00:00:00:17"))  // rack17, a known node
        try send(Self.pxeDiscover("52:54:00:00:01:0c", vendorClass: nil))  // an OS's client in the pool
        #expect(recorder.machines.map(\.mac) == ["52:54:00:00:01:0b"])
        #expect(recorder.machines.first?.network == "provision")
        // The first write is at once (off the loop); wait for it.
        for _ in 0..<200 where DiscoveryFile.read(path: path).machines.isEmpty { usleep(10_000) }
        #expect(DiscoveryFile.read(path: path).machines.map(\.mac) == ["52:54:00:00:01:0b"])
        clock.withLockedValue { $0 += 1 }
        try send(Self.pxeDiscover("52:54:00:00:01:0a"))
        try send(Self.pxeDiscover("52:54:00:00:01:0b"))
        usleep(100_000)
        #expect(DiscoveryFile.read(path: path).machines.map(\.mac) == ["52:54:00:00:01:0b"])
        recorder.stop()
        let written = DiscoveryFile.read(path: path).machines
        #expect(written.map(\.mac) == ["52:54:00:00:01:0b", "52:54:00:00:01:0a"])
        #expect(written.map(\.count) == [2, 1])

        // A restart reads them back, in the same order.
        let restarted = DiscoveryRecorder(path: path, logger: Logger(label: "test")) { [] }
        restarted.load()
        #expect(restarted.machines == written)
    }

    /// A storm of strangers' PXE requests at capacity: the book stays bounded, the file is written about once a
    /// second, and recording stays cheap (the rate is printed: `swift test --filter storm`).
    @Test func aStormOfStrangersStaysBoundedAndCheap() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("discovery-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = DiscoveryFile.path(stateDirectory: directory)
        let recorder = DiscoveryRecorder(path: path, logger: Logger(label: "test")) { [] }
        let count = 50_000
        let started = DispatchTime.now().uptimeNanoseconds
        for index in 0..<count {
            let mac = String(format: "52:54:%02x:%02x:%02x:%02x", (index >> 24) & 0xff, (index >> 16) & 0xff,
                             (index >> 8) & 0xff, index & 0xff)
            recorder.record(DiscoveredMachine(mac: mac, firstSeen: Double(index), lastSeen: Double(index)))
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        print("discovery storm: \(count) sightings of new MACs in \(String(format: "%.2f", seconds)) s "
                  + "(\(Int(Double(count) / seconds))/s)")
        recorder.stop()
        let written = DiscoveryFile.read(path: path)
        #expect(written.problem == nil)
        #expect(written.machines.count <= 4_096 && written.machines.count > 3_000)
        #expect(written.machines.last?.mac == "52:54:00:00:c3:4f")
    }

    // MARK: nodes adopt

    @Test func namesComeFromThePattern() {
        #expect(DiscoveryAdoption.name("rack{n}", number: 17) == "rack17")
        #expect(DiscoveryAdoption.name("compute{n:02}", number: 7) == "compute07")
        #expect(DiscoveryAdoption.name("n{n:3}-a", number: 1234) == "n1234-a")
        #expect(DiscoveryAdoption.name("compute", number: 1) == nil)
        #expect(DiscoveryAdoption.name("c{n}x{n}", number: 1) == nil)
        #expect(DiscoveryAdoption.name("c{n:x}", number: 1) == nil)
    }

    @Test func adoptionNumbersInFirstSeenOrderWithTheNextFreeAddresses() throws {
        let machines = [Self.machine(3, first: 300), Self.machine(1, first: 100), Self.machine(2, first: 200)]
        let plan = try DiscoveryAdoption.plan(machines, inventory: Self.inventory(), pattern: "node{n}", start: 5,
                                              reserved: [IPv4Address("192.168.1.4")!])
        #expect(plan.map(\.name) == ["node5", "node6", "node7"])
        #expect(plan.map(\.mac) == ["52:54:00:00:01:01", "52:54:00:00:01:02", "52:54:00:00:01:03"])
        // .1 and .3 are nodes', .4 the server's interface's.
        #expect(plan.map { "\($0.ip)" } == ["192.168.1.2", "192.168.1.5", "192.168.1.6"])
        #expect(plan.allSatisfy { $0.network == "provision" })
    }

    @Test func adoptionRefusesATakenNameOrAnUnknownNetwork() throws {
        #expect(throws: DiscoveryAdoption.Refusal.self) {
            try DiscoveryAdoption.plan([Self.machine(1, first: 1)], inventory: Self.inventory(), pattern: "rack{n}",
                                       start: 17)
        }
        #expect(throws: DiscoveryAdoption.Refusal.self) {
            try DiscoveryAdoption.plan([Self.machine(1, first: 1, network: nil)], inventory: Self.inventory(),
                                       pattern: "rack{n}", start: 1, network: "storage")
        }
        // Seen on a network nodes.yaml does not declare (any more): the only network.
        let plan = try DiscoveryAdoption.plan([Self.machine(1, first: 1, network: "gone")], inventory: Self.inventory(),
                                              pattern: "rack{n}", start: 1)
        #expect(plan.first?.network == "provision")
    }
}
