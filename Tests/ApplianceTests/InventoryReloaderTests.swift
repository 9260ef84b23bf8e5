@testable import Appliance
import Foundation
import Inventory
import Logging
import NIOConcurrencyHelpers
import Snapshot
import Testing

/// The reloader on a real file: what it publishes, what it refuses, and how long it takes.
@Suite("inventory reloader")
final class InventoryReloaderTests {
    let directory: String
    let path: String
    let lines = LogLines()

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("reloader-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory + "/images", withIntermediateDirectories: true)
        path = directory + "/nodes.yaml"
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    /// nodes.yaml with `server` lines added to the section and `nodes` nodes.
    func write(server: String = "", cmdline: String = "root=dhcp", nodes: Int = 2, extra: String = "") throws {
        var text = """
            server:
              interface: lo
              state_dir: \(directory)/state
            \(server)
            networks:
              lan: {subnet: 10.0.0.0/16, domain: example.org}
            images:
              a: {kernel: a/vmlinuz, root_path: "nfs:10.0.0.1:/a", cmdline: "\(cmdline)"}
            nodes:

            """
        for index in 0..<nodes {
            let mac = String(format: "02:00:00:00:%02x:%02x", index / 256, index % 256)
            text += "  n\(index): {mac: \"\(mac)\", ip: 10.0.\(1 + index / 250).\(1 + index % 250), image: a}\n"
        }
        try (text + extra).write(toFile: path, atomically: true, encoding: .utf8)
    }

    func start() throws -> (InventoryReloader, SnapshotPublisher, InventoryReloader.ReloadState) {
        let result = InventoryLoader.load(path: path)
        let inventory = try #require(result.inventory, "\(result.diagnostics)")
        let snapshots = SnapshotPublisher(inventory)
        let lines = lines
        var logger = Logger(label: "test", factory: { _ in CapturingHandler(lines: lines) })
        logger.logLevel = .info
        let reloader = InventoryReloader(path: path, snapshots: snapshots,
                                         started: .init(address: IPv4Address("10.0.0.1")!, interfaceAddress: IPv4Address("10.0.0.1")),
                                         published: { _ in }, logger: logger)
        let state = InventoryReloader.ReloadState(lastBytes: Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        return (reloader, snapshots, state)
    }

    @Test("a valid edit is published as the next version, responder and boot configs from the same inventory")
    func publishes() async throws {
        try write()
        let (reloader, snapshots, state) = try start()
        try write(cmdline: "root=dhcp version=2")
        #expect(await reloader.reload(.fileChanged, state: state) == .applied(version: 2))
        let snapshot = snapshots.current
        #expect(snapshot.version == 2)
        #expect(snapshot.responder.inventory.profiles.first?.cmdline.value.contains("version=2") == true)
        let config = snapshot.bootConfigs.config(for: try #require(snapshot.bootConfigs.inventory.profiles.first))
        #expect(config.contains("version=2"))
        #expect(lines.contains("reloaded \(path) (file changed): inventory version 2, 2 nodes; changed n0, n1; took "))
    }

    @Test("the same bytes again are no reload; SIGHUP always is")
    func unchanged() async throws {
        try write()
        let (reloader, snapshots, state) = try start()
        #expect(await reloader.reload(.fileChanged, state: state) == .unchanged)
        #expect(await reloader.reload(.hangup, state: state) == .applied(version: 2))
        #expect(snapshots.current.version == 2)
    }

    @Test("an invalid file is refused with FILE:LINE:COL and the last good version keeps serving")
    func invalid() async throws {
        try write()
        let (reloader, snapshots, state) = try start()
        try write(extra: "  bad: {mac: \"02:00:00:00:00:zz\", ip: 10.0.0.99}\n")
        #expect(await reloader.reload(.fileChanged, state: state) == .invalid)
        #expect(snapshots.current.version == 1)
        #expect(lines.contains("\(path):12:"))
        #expect(lines.contains("reload refused (file changed): \(path) has errors; the last good inventory (version 1) keeps serving"))
    }

    @Test("server.address, tftp_root and the other start-up keys need a restart: refused, nothing half applied",
          arguments: [
              ("  address: 10.0.0.9", "server.address", "4:3"),
              ("  tftp_root: DIR/other", "server.tftp_root", "4:3"),
              ("  http: 127.0.0.1:9100", "server.http", "4:3"),
              ("  router_advertisements: false", "server.router_advertisements", "4:3"),
              ("  rogue_probe_interval: 60", "server.rogue_probe_interval", "4:3"),
              ("  tftp_max_transfers: 10", "server.tftp_max_transfers", "4:3"),
              ("  tftp_max_transfers_per_client: 10", "server.tftp_max_transfers_per_client", "4:3"),
          ])
    func needsRestart(line: String, key: String, location: String) async throws {
        try FileManager.default.createDirectory(atPath: directory + "/other", withIntermediateDirectories: true)
        try write()
        let (reloader, snapshots, state) = try start()
        try write(server: line.replacingOccurrences(of: "DIR", with: directory), cmdline: "root=dhcp version=2")
        let outcome = await reloader.reload(.fileChanged, state: state)
        guard case .needsRestart(let changes) = outcome else {
            Issue.record("\(key): \(outcome)")
            return
        }
        #expect(changes.map(\.key) == [key])
        #expect(snapshots.current.version == 1)
        #expect(snapshots.current.inventory.profiles.first?.cmdline.value.contains("version=2") == false)
        #expect(lines.contains("\(path):\(location): \(key) changed from "))
        #expect(lines.contains(": needs a restart"))
        #expect(lines.contains("reload refused (file changed): \(key) cannot change while serving (restart netroot to apply)"))
    }

    @Test("server.address set to the address already serving is no change")
    func sameAddress() async throws {
        try write()
        let (reloader, _, state) = try start()
        try write(server: "  address: 10.0.0.1")
        #expect(await reloader.reload(.fileChanged, state: state) == .applied(version: 2))
    }

    @Test("server.bootfile is applied live: the generated configs move with it")
    func bootfileLive() async throws {
        try write()
        let (reloader, snapshots, state) = try start()
        try write(server: "  bootfile: {bios: bios/lpxelinux.0}")
        #expect(await reloader.reload(.fileChanged, state: state) == .applied(version: 2))
        #expect(snapshots.current.bootConfigs.configDirectories.contains("bios/pxelinux.cfg/"))
    }

    @Test("a file that keeps changing while read is not applied; its next change brings it back")
    func unsettled() async throws {
        try write()
        var (reloader, snapshots, state) = try start()
        reloader.rereadPause = .milliseconds(1)
        try write(cmdline: "root=dhcp torn")
        let counter = NIOLockedValueBox(0)
        let outcome = await reloader.reload(.fileChanged, state: state, changeCount: {
            counter.withLockedValue { $0 += 1; return $0 }
        })
        #expect(outcome == .unsettled)
        #expect(snapshots.current.version == 1)
        #expect(await reloader.reload(.fileChanged, state: state) == .applied(version: 2))
    }

    @Test("a reload of 2,000 nodes takes well under a second")
    func fast() async throws {
        try write(nodes: 10)
        let (reloader, _, state) = try start()
        try write(cmdline: "root=dhcp quiet", nodes: 2000)
        let began = ContinuousClock.now
        #expect(await reloader.reload(.fileChanged, state: state) == .applied(version: 2))
        let took = ContinuousClock.now - began
        print("reload of 2,000 nodes took \(took)")
        #expect(took < .seconds(1))
    }
}

@Suite("snapshot publisher")
struct SnapshotPublisherTests {
    @Test("versions count up; a snapshot already read keeps its inventory")
    func versions() throws {
        func inventory(_ cmdline: String) throws -> Inventory {
            let text = """
                server: {interface: eth0, tftp_root: /srv}
                networks:
                  lan: {subnet: 10.0.0.0/24}
                images:
                  a: {kernel: a/vmlinuz, cmdline: "\(cmdline)"}
                nodes:
                  n1: {mac: "02:00:00:00:00:01", ip: 10.0.0.11, image: a}
                """
            let result = InventoryLoader.parse(text: text, file: "nodes.yaml", baseDirectory: "/",
                                               fileExists: { _ in true })
            return try #require(result.inventory, "\(result.diagnostics)")
        }
        let publisher = SnapshotPublisher(try inventory("one"))
        let first = publisher.current
        #expect(publisher.publish(try inventory("two")).version == 2)
        #expect(publisher.current.version == 2)
        #expect(first.version == 1)
        #expect(first.bootConfigs.config(for: first.profiles[0]).contains("one"))
        #expect(publisher.current.bootConfigs.config(for: publisher.current.profiles[0]).contains("two"))
    }
}

/// Log lines kept for assertions.
final class LogLines: Sendable {
    private let lines = NIOLockedValueBox<[String]>([])
    func append(_ line: String) { lines.withLockedValue { $0.append(line) } }
    func contains(_ text: String) -> Bool { lines.withLockedValue { $0.contains { $0.contains(text) } } }
    var all: [String] { lines.withLockedValue { $0 } }
}

struct CapturingHandler: LogHandler {
    let lines: LogLines
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String,
             file: String, function: String, line: UInt) {
        lines.append("\(message)")
    }
}
