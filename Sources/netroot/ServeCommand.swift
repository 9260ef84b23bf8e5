import Appliance
import ArgumentParser
import Inventory
import Logging
import Support
import Synchronization

/// `netroot serve`: run the appliance until SIGTERM or SIGINT; SIGHUP or an edit of nodes.yaml reloads it.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the DHCP and TFTP servers on the inventory's interface (the bridge joins later).",
        discussion: """
            Leases are journaled under server.state_dir before any ACK is sent. nodes.yaml is reloaded when it \
            changes and on SIGHUP: an invalid file is refused with its FILE:LINE:COL errors and the last good \
            inventory keeps serving. `netroot status` shows each node's boot timeline through the control \
            socket server.state_dir/control.sock.

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

    /// What `prepareWhilePrivileged` opened, for `run`: set once, before anything runs asynchronously.
    private static let prepared = Mutex<(inventory: Inventory, setup: PrivilegedSetup)?>(nil)

    /// On the process's only thread, before anything else: logging, the inventory, everything that needs a
    /// capability (`PrivilegedSetup`), then every capability dropped, so no thread serve starts has any.
    func prepareWhilePrivileged() throws {
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("unknown log level '\(logLevel)'")
        }
        // Log lines quote clients and BMCs: control characters are escaped before a line is written.
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return EscapingLogHandler(wrapping: handler)
        }
        let logger = Logger(label: "netroot")
        Capabilities.raise()
        let inventory = try options.loadValidInventory()
        var settings = Appliance.Settings(configPath: options.path)
        settings.dhcpPort = dhcpPort
        settings.tftpPort = tftpPort
        do {
            let setup = try PrivilegedSetup.perform(inventory: inventory, settings: settings,
                                                    executable: "/proc/self/exe", logLevel: logLevel, logger: logger)
            let held = try Capabilities.dropForProcess()
            let kept = Capabilities.current()
            let message = "capabilities dropped after opening the sockets: held "
                + "\(Capabilities.names(held?.permitted ?? 0)); now \(Capabilities.names(kept?.permitted ?? 0)) "
                + "(bounding set: \(Capabilities.names(kept?.bounding ?? 0)))"
            logger.notice("\(message)")
            Self.prepared.withLock { $0 = (inventory, setup) }
        } catch {
            logger.critical("cannot start: \(error)")
            throw ExitCode(1)
        }
    }

    func run() async throws {
        guard let (inventory, setup) = Self.prepared.withLock({ $0 }) else {
            throw ValidationError("serve was not prepared (Netroot.main prepares it)")
        }
        do {
            try await Appliance(settings: setup.settings, logger: Logger(label: "netroot"))
                .run(inventory: inventory, setup: setup)
        } catch ApplianceError.startFailed {
            throw ExitCode(1)
        }
    }
}
