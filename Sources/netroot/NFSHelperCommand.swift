import Appliance
import ArgumentParser
import Foundation
import Inventory
import Logging
import NFSSupervision
import Support

/// `netroot nfs-helper`: started by `serve` (never by hand) before serve drops its capabilities; keeps what
/// exporting needs and runs nfs-ganesha for the export lists serve writes to its stdin, one JSON line each. The
/// end of its input stops nfs-ganesha and ends it.
struct NFSHelperCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nfs-helper",
        abstract: "Run nfs-ganesha for `netroot serve` (started by serve).",
        shouldDisplay: false)

    @Option(help: "server.state_dir: nfs-ganesha's configuration and recovery files go under its nfs/.")
    var stateDir: String

    @Option(help: "The address nfs-ganesha binds.")
    var bindAddress: String?

    @Option(help: "trace, debug, info, notice, warning or error.")
    var logLevel: String = "info"

    func run() throws {
        // Only what exporting needs (a mount namespace, reading every file of the roots, rpcbind's port 111),
        // and only until serve ends; the bounding set too, so nfs-ganesha, started as root, gets no more.
        try Capabilities.dropForProcess(keeping: Capabilities.nfsExporting)
        // Its life is serve's: a SIGINT or SIGTERM meant for the service reaches it too, and it then waits for
        // serve to close its input, stopping nfs-ganesha in order.
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return EscapingLogHandler(wrapping: handler)
        }
        let logger = Logger(label: "netroot")
        let nfs = NFSServer(stateDirectory: stateDir, bindAddress: bindAddress.flatMap(IPv4Address.init), logger: logger)
        while let line = readLine(strippingNewline: true) {
            do {
                let input = try JSONDecoder().decode(NFSHelperInput.self, from: Data(line.utf8))
                try nfs.serve(input.exports)
            } catch {
                logger.error("NFS: \(error)")
            }
        }
        nfs.stop()
    }
}
