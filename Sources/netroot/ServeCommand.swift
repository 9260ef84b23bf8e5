import ArgumentParser
import DHCPServer
import Dispatch
import Foundation
import Inventory
import Logging
import NetworkSupport
import TFTPServer
import NIOPosix

/// `netroot serve`: run the appliance's services until SIGTERM or SIGINT; SIGHUP reloads nodes.yaml.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the DHCP and TFTP servers on the inventory's interface (the bridge joins later).",
        discussion: """
            Leases are journaled under server.state_dir before any ACK is sent. SIGHUP reloads nodes.yaml: \
            an invalid file is refused with its FILE:LINE:COL errors and the last good inventory keeps serving.

            Examples:
              netroot serve
              netroot serve --config /etc/netroot/nodes.yaml --log-level debug
            """
    )

    @OptionGroup var options: ConfigOption

    @Option(help: ArgumentHelp("trace, debug, info, notice, warning or error.", valueName: "LEVEL"))
    var logLevel: String = "info"

    @Option(help: ArgumentHelp("UDP port for DHCP (tests only; clients use 67).", visibility: .hidden))
    var dhcpPort: Int = 67

    @Option(help: ArgumentHelp("UDP port for TFTP (tests only; clients use 69).", visibility: .hidden))
    var tftpPort: Int = 69

    func run() async throws {
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("unknown log level '\(logLevel)'")
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "netroot")
        let inventory = try options.loadValidInventory()
        let dhcp: DHCPService
        let tftp: TFTPService
        do {
            let interface = try InterfaceInfo.lookup(inventory.server.interface)
            guard let address = inventory.server.address ?? interface.addresses.first else {
                throw InterfaceInfo.LookupError(description: "interface \(interface.name) has no IPv4 address "
                                                    + "and server.address is not set")
            }
            var dhcpConfiguration = DHCPService.Configuration(interface: interface.name,
                                                              stateDirectory: inventory.server.stateDirectory)
            dhcpConfiguration.port = dhcpPort
            dhcp = try DHCPService(inventory: inventory, configuration: dhcpConfiguration, interface: interface,
                                   serverAddress: address, logger: logger)
            var tftpConfiguration = TFTPService.Configuration(interface: interface.name, address: address,
                                                              root: inventory.server.tftpRoot)
            tftpConfiguration.port = tftpPort
            tftpConfiguration.mtu = interface.mtu
            tftp = try TFTPService(inventory: inventory, configuration: tftpConfiguration, logger: logger)
            try await dhcp.start(group: MultiThreadedEventLoopGroup.singleton)
            try await tftp.start(group: MultiThreadedEventLoopGroup.singleton)
        } catch {
            logger.critical("cannot start: \(error)")
            throw ExitCode(1)
        }
        logger.info("serving \(inventory.nodes.count) nodes from \(options.path)")

        for await signal in Signals.stream([SIGTERM, SIGINT, SIGHUP]) {
            if signal == SIGHUP {
                let result = InventoryLoader.load(path: options.path)
                if let inventory = result.inventory {
                    dhcp.replace(inventory: inventory)
                    tftp.replace(inventory: inventory)
                    logger.info("reloaded \(options.path): \(inventory.nodes.count) nodes")
                } else {
                    for diagnostic in result.diagnostics.errors { logger.error("\(diagnostic)") }
                    logger.error("reload refused; the last good inventory keeps serving")
                }
                continue
            }
            logger.info("stopping on signal \(signal)")
            break
        }
        await tftp.stop()
        await dhcp.stop()
        logger.info("leases flushed; bye")
    }
}

/// POSIX signals as an async sequence (handlers installed through Dispatch, default actions ignored).
enum Signals {
    static func stream(_ signals: [Int32]) -> AsyncStream<Int32> {
        AsyncStream { continuation in
            let sources = signals.map { number -> DispatchSourceSignal in
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { continuation.yield(number) }
                source.resume()
                return source
            }
            let held = HeldSources(sources)
            continuation.onTermination = { _ in held.cancel() }
        }
    }

    /// Keeps the sources alive for the stream; cancel is safe from any thread.
    private final class HeldSources: @unchecked Sendable {
        let sources: [DispatchSourceSignal]
        init(_ sources: [DispatchSourceSignal]) { self.sources = sources }
        func cancel() { sources.forEach { $0.cancel() } }
    }
}
