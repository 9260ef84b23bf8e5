import Appliance
import ArgumentParser
import Logging

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

    func run() async throws {
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("unknown log level '\(logLevel)'")
        }
        // Log lines quote clients and BMCs: control characters are escaped before a line is written.
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return EscapingLogHandler(wrapping: handler)
        }
        let inventory = try options.loadValidInventory()
        var settings = Appliance.Settings(configPath: options.path)
        settings.dhcpPort = dhcpPort
        settings.tftpPort = tftpPort
        do {
            try await Appliance(settings: settings, logger: Logger(label: "netroot")).run(inventory: inventory)
        } catch ApplianceError.startFailed {
            throw ExitCode(1)
        }
    }
}
