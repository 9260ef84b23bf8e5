import BootTimeline
import Bridge
import BridgeNetlink
import Control
import Dashboard
import Diagnostics
import DHCPServer
import Foundation
import HTTPBoot
import HTTPService
import Inventory
import Leases
import Logging
import NetworkSupport
import NFSSupervision
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import RogueWatch
import ServiceLifecycle
import Snapshot
import Support
import TFTP
import TFTPServer

/// `netroot serve`: the bridge (brought up first), DHCP, TFTP, NFS exports, router advertisements, the rogue
/// DHCP watch, the control socket, HTTP metrics and the reloader, sharing one published inventory snapshot
/// (swapped whole by the reloader) and one boot timeline, as services of one service group.
public struct Appliance {
    /// What the command line decides.
    public struct Settings: Sendable {
        public var configPath: String
        /// 67 and 69 in production; tests move them.
        public var dhcpPort = 67
        public var tftpPort = 69

        public init(configPath: String) { self.configPath = configPath }
    }

    let settings: Settings
    let logger: Logger

    public init(settings: Settings, logger: Logger) {
        self.settings = settings
        self.logger = logger
    }

    /// Starts every server, then runs until SIGTERM or SIGINT and stops them in reverse order: no new
    /// requests, TFTP transfers in flight finish (or end), the lease journal is flushed. `setup` is what `serve`
    /// opened while it held its capabilities (`PrivilegedSetup`); without one (tests) it is done here.
    public func run(inventory: Inventory, setup: PrivilegedSetup? = nil) async throws {
        let descriptors = DescriptorLimit.raise()
        if descriptors < 4_096 {
            logger.warning("only \(descriptors) open files allowed (ulimit -n): each TFTP transfer holds two, so fewer than \(descriptors / 2) can run at once; raise LimitNOFILE=")
        }
        // Lives as long as the process: its threads end with it.
        let group = MultiThreadedEventLoopGroup(numberOfThreads: EventLoopThreads.count)
        let timeline = BootTimeline()
        var services: [ServerService] = []
        var nfsExports: (@Sendable ([NFSExport]) throws -> Void)?
        var rogueServers: RogueServers?
        let dhcp: DHCPService
        let tftp: TFTPService
        var httpBoot: HTTPBootServer?
        let snapshots = SnapshotPublisher(inventory)
        let started: RestartOnlySettings.Started
        let opened: PrivilegedSetup
        do {
            opened = try setup ?? PrivilegedSetup.perform(inventory: inventory, settings: settings, executable: nil,
                                                          logLevel: "info", logger: logger)
            let interface = opened.interface, address = opened.address
            started = RestartOnlySettings.Started(address: address, interfaceAddress: interface.addresses.first)
            var dhcpConfiguration = DHCPService.Configuration(interface: interface.name,
                                                              stateDirectory: inventory.server.stateDirectory)
            dhcpConfiguration.port = settings.dhcpPort
            let leases = try await LeaseStores.open(inventory.server, serverAddress: address, logger: logger)
            dhcp = DHCPService(snapshots: snapshots, configuration: dhcpConfiguration, interface: interface,
                               serverAddress: address, store: leases.store, leases: leases.leases, timeline: timeline,
                               logger: logger)
            var tftpConfiguration = TFTPService.Configuration(interface: interface.name, address: address,
                                                              root: inventory.server.tftpRoot)
            tftpConfiguration.port = settings.tftpPort
            tftpConfiguration.mtu = interface.mtu
            tftpConfiguration.transferThreads = EventLoopThreads.count
            tftpConfiguration.limits = TransferLimits(total: inventory.server.tftpMaximumTransfers,
                                                      perClient: inventory.server.tftpMaximumTransfersPerClient)
            tftp = try TFTPService(snapshots: snapshots, configuration: tftpConfiguration, timeline: timeline,
                                   logger: logger)
            try await dhcp.start(sockets: opened.dhcp)
            services.append(ServerService(description: "DHCP") { await dhcp.stop() })
            try tftp.start(listener: opened.tftpListener)
            services.append(ServerService(description: "TFTP") { await tftp.stop(waitingUpTo: .seconds(10)) })
            do {
                let root = try EscapeProofRoot(path: inventory.server.tftpRoot)
                let boot = try await HTTPBootServer.start(address: address, port: inventory.server.httpBootPort,
                                                          listening: opened.httpBootListener, root: root,
                                                          snapshots: snapshots, timeline: timeline,
                                                          limits: Self.httpLimits(inventory.server),
                                                          group: group, logger: logger)
                services.append(ServerService(description: "HTTP boot") { await boot.stop() })
                httpBoot = boot
            } catch {
                throw ApplianceError.httpBoot("HTTP boot on \(address):\(inventory.server.httpBootPort): "
                                              + "\(error) (set server.http_boot_port to a free port)")
            }
            let exports = NFSExport.exports(of: inventory)
            if let helper = opened.nfsHelper {
                // nfs-ganesha runs under the helper serve started while it could; serve itself keeps nothing.
                helper.watch(logger: logger)
                if !exports.isEmpty { try helper.serve(exports) }
                services.append(ServerService(description: "NFS") { helper.stop() })
                nfsExports = { try helper.serve($0) }
            } else {
                let nfs = NFSServer(stateDirectory: inventory.server.stateDirectory, bindAddress: address,
                                    logger: logger)
                if !exports.isEmpty { try nfs.serve(exports) }
                services.append(ServerService(description: "NFS") { nfs.stop() })
                nfsExports = { try nfs.serve($0) }
            }
            switch opened.routerAdvertisementSocket {
            case .success(let socket):
                let advertiser = try RouterAdvertiser(interface: interface, socket: socket, logger: logger)
                services.append(ServerService(description: "router advertisements") { advertiser.stop() })
            case .failure(let error):
                // Optional: without it nodes boot, only ~13 s slower; a host without IPv6 must still serve.
                logger.warning("not answering IPv6 router solicitations: \(error)")
            case nil:
                break
            }
            do {
                let store = dhcp.store
                let monitor = try RogueMonitor(interface: interface.name, mac: interface.mac,
                                               ours: Set([address] + interface.addresses),
                                               partners: { Set(store.health.appliances.compactMap { $0.address.flatMap(IPv4Address.init) }) },
                                               probeInterval: inventory.server.rogueProbeInterval,
                                               handles: opened.rogueWatch.get(), logger: logger)
                services.append(ServerService(description: "rogue DHCP watch") { monitor.stop() })
                rogueServers = monitor.servers
            } catch {
                logger.warning("not watching for other DHCP servers: \(error)")
            }
            let control = try await ControlServer.start(directory: inventory.server.stateDirectory,
                                                        timeline: timeline, rogues: rogueServers,
                                                        dhcp: dhcp.counters, leaseStore: dhcp.store,
                                                        leases: { dhcp.leases }, group: group,
                                                        logger: logger)
            services.append(ServerService(description: "control socket") { await control.stop() })
        } catch {
            logger.critical("cannot start: \(error)")
            for service in services.reversed() { await service.stop() }
            throw ApplianceError.startFailed
        }
        let nfs = nfsExports
        let logger = logger
        let reloads = NIOLockedValueBox(ReloadCounts())
        if let listen = inventory.server.http {
            do {
                let endpoint = try await startHTTP(listen, listening: opened.opsListener, dhcp: dhcp, tftp: tftp,
                                                   httpBoot: httpBoot, snapshots: snapshots, reloads: reloads,
                                                   timeline: timeline, rogues: rogueServers, group: group)
                services.append(ServerService(description: "HTTP") { await endpoint.stop() })
            } catch {
                logger.critical("cannot start: HTTP on \(listen): \(error)")
                for service in services.reversed() { await service.stop() }
                throw ApplianceError.startFailed
            }
        }
        // DHCP and TFTP read the published snapshot per request; NFS follows its exports (nfs-ganesha restarts
        // only when they changed, without waiting for the old one to exit).
        var reloader = InventoryReloader(path: settings.configPath, snapshots: snapshots, started: started,
                                         published: { snapshot in
            do { try nfs?(NFSExport.exports(of: snapshot.inventory)) } catch { logger.error("NFS: \(error)") }
        }, logger: logger)
        reloader.outcome = { applied in
            reloads.withLockedValue { if applied { $0.applied += 1 } else { $0.refused += 1 } }
        }
        logger.notice("netroot ready: serving \(inventory.nodes.count) nodes from \(settings.configPath)")
        let notifier = SystemdNotifier()
        notifier.ready(status: "serving \(inventory.nodes.count) nodes")

        let serviceGroup = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) }
                // Last in, first out: systemd hears STOPPING=1 before anything stops.
                + [.init(service: reloader),
                   .init(service: ServerService(description: "systemd notification") { notifier.stopping() })],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger.withLevel(atLeast: .notice)))
        try await serviceGroup.run()
        logger.notice("stopped; leases flushed")
    }
}

extension Appliance {
    /// The bridge of nodes.yaml, with its containers, before anything listens on it; left up at exit.
    static func bringUp(_ bridge: BridgeSettings, inventory: Inventory, logger: Logger) throws {
        var manager = BridgeManager(settings: bridge, stateDirectory: inventory.server.stateDirectory)
        manager.containers = inventory.containers
        switch try manager.up(dryRun: false, log: { logger.info("bridge: \($0)") }) {
        case .nothingToDo:
            logger.info("bridge \(bridge.name) is up as nodes.yaml says")
        case .applied(let steps):
            logger.notice("bridge \(bridge.name) brought up in \(steps.count) steps")
        case .planned:
            break
        case let .rolledBack(failed, error, rollbackFailures):
            for failure in rollbackFailures {
                logger.error("bridge: could not undo '\(failure.step.inverse.command)': \(failure.error)")
            }
            throw ApplianceError.bridge("bridge \(bridge.name): '\(failed.command)' failed: \(error); "
                                        + (rollbackFailures.isEmpty ? "the steps before it were undone"
                                               : "some steps could not be undone"))
        }
    }
}

extension Appliance {
    /// `/metrics`, `/healthz`, `/status.json` and the dashboard on `server.http`.
    private func startHTTP(_ listen: HTTPListen, listening: Int32?, dhcp: DHCPService, tftp: TFTPService,
                           httpBoot: HTTPBootServer?, snapshots: SnapshotPublisher, reloads: NIOLockedValueBox<ReloadCounts>,
                           timeline: BootTimeline, rogues: RogueServers?,
                           group: EventLoopGroup) async throws -> HTTPEndpoint {
        let exporter = MetricsExporter()
        let startedAt = Date().timeIntervalSince1970
        let token = try snapshots.current.inventory.server.httpTokenFile.map { try Self.readToken($0, logger: logger) }
        let dashboard = DashboardData(snapshots: snapshots, timeline: timeline, rogues: rogues, startedAt: startedAt,
                                      discovered: { Self.discovered(dhcp) })
        let stream = HTTPEndpoint.EventStream(path: "/events", updates: { dashboard.update(since: $0) })
        let server = snapshots.current.inventory.server
        return try await HTTPEndpoint.start(listen, listening: listening, token: token, hostNames: server.httpNames,
                                            limits: Self.httpLimits(server), routes: { path in
            switch path {
            case "/metrics":
                let text = exporter.render(MetricsExporter.Sources(
                    dhcp: dhcp.counters.snapshot, tftp: tftp.counters.snapshot, activeTransfers: tftp.activeTransfers,
                    httpBoot: httpBoot?.counters.snapshot,
                    leases: dhcp.leases, leaseStore: dhcp.store.health, inventory: snapshots.current.inventory, reloads: reloads.withLockedValue { $0 },
                    rogueServers: rogues?.list().count ?? 0, now: Int64(Date().timeIntervalSince1970)))
                return (.ok, "text/plain; version=0.0.4", Array(text.utf8))
            case "/healthz":
                return (.ok, "text/plain", Array("ok\n".utf8))
            case "/status.json":
                var reply = ControlProtocol.answer("status", timeline: timeline, startedAt: startedAt,
                                                   now: Date().timeIntervalSince1970)
                reply.rogueServers = rogues?.list() ?? []
                reply.leaseJournal = ControlProtocol.journalFailure(dhcp.counters.snapshot)
                let health = dhcp.store.health
                reply.leaseStore = health
                if health.backend != "journal" {
                    ControlProtocol.stampGrants(&reply, leases: dhcp.leases, health: health)
                }
                return (.ok, "application/json", ControlProtocol.encode(reply))
            case "/api/state":
                return (.ok, "application/json", dashboard.state())
            case let path where path.hasPrefix("/api/node/"):
                let name = String(path.dropFirst("/api/node/".count)).removingPercentEncoding ?? ""
                return (.ok, "application/json", dashboard.node(name))
            default:
                if let asset = DashboardAssets.asset(path) { return (.ok, asset.type, asset.body) }
                return (.notFound, "text/plain",
                        Array("not found; try /, /metrics, /healthz or /status.json\n".utf8))
            }
        }, stream: stream, group: group, logger: logger)
    }

    /// Both HTTP listeners' connection limits from `server.http_max_connections…`; timeouts keep their defaults.
    static func httpLimits(_ server: ServerSettings) -> HTTPServiceLimits {
        HTTPServiceLimits(connections: server.httpMaximumConnections,
                          connectionsPerClient: server.httpMaximumConnectionsPerClient)
    }

    /// The token file's secret, read by the one rule for secret files (`SecretFile`: its systemd credential when
    /// there is one); a missing, unreadable or empty file stops the start (check refuses a missing one first).
    private static func readToken(_ path: String, logger: Logger) throws -> AccessToken {
        let file: SecretFile
        do { file = try SecretFile.read(path) } catch {
            throw ApplianceError.tokenFile("http_token_file \(error)")
        }
        if let warning = file.warning { logger.warning("http_token_file \(warning)") }
        guard let token = AccessToken(secret: file.bytes) else {
            throw ApplianceError.tokenFile("http_token_file \(path) is empty")
        }
        return token
    }

    /// Discovery's machines as the dashboard's unknown-machine rows.
    private static func discovered(_ dhcp: DHCPService) -> [UnknownTile]? {
        dhcp.discoveredMachines.map { machine in
            UnknownTile(client: machine.mac, mac: machine.mac, lastTime: machine.lastSeen, firstSeen: machine.firstSeen,
                        architecture: machine.architecture.map(Int.init), vendorClass: machine.vendorClass,
                        relay: machine.relay, network: machine.network, count: machine.count)
        }
    }
}

extension Logger {
    /// The service group's own bookkeeping lines are noise at info level.
    func withLevel(atLeast level: Logger.Level) -> Logger {
        var copy = self
        if copy.logLevel < level { copy.logLevel = level }
        return copy
    }
}
