import ArgumentParser
import Inventory

/// `netroot check`: validate the inventory; exit 0 when valid, 1 when not.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate nodes.yaml: every error as FILE:LINE:COL, exit 0 when valid, 1 when not.",
        discussion: """
            Missing kernel or initrd files under tftp_root are warnings, not errors; so are secret files \
            (server.http_token_file, server.leases.password_file, bmc.password_file) readable by group or others. \
            An inventory with containers: gets a note: the shipped systemd unit needs the drop-in \
            config/netroot-containers.conf to plumb them.

            Examples:
              netroot check
              netroot check config/nodes.yaml
              netroot check --config /etc/netroot/nodes.yaml
            """
    )

    @Argument(help: ArgumentHelp("The inventory file (same as --config).", valueName: "PATH"))
    var file: String?

    @OptionGroup var options: ConfigOption

    func validate() throws {
        if let file, let config = options.config, file != config {
            throw ValidationError("give the inventory once: '\(file)' and --config '\(config)' differ")
        }
    }

    func run() throws {
        let path = file ?? options.path
        let result = InventoryLoader.load(path: path)
        // The findings are this command's product, so they go to standard output.
        for diagnostic in result.diagnostics { print(diagnostic.description) }
        if let location = InventoryLoader.nonEmptySectionLocation("containers", path: path) {
            print(Self.containersNote(file: path, location: location))
        }
        print(InventoryReport.summary(file: path, inventory: result.inventory, diagnostics: result.diagnostics))
        if result.inventory == nil { throw ExitCode(1) }
    }

    /// A note, not a warning (nothing is wrong with the file, and the exit status stays): config/netroot.service
    /// forbids entering other network namespaces, which plumbing the containers does at start.
    static func containersNote(file: String, location: SourceLocation) -> String {
        "\(file):\(location): note: containers: under the shipped systemd unit (config/netroot.service), entering "
            + "the containers' network namespaces needs the drop-in config/netroot-containers.conf in "
            + "/etc/systemd/system/netroot.service.d/"
    }
}
