import ArgumentParser
import Power

/// `netroot power ACTION NODES`: xCAT's rpower, rsetboot, rvitals and rinv through the nodes' BMCs.
struct PowerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "power",
        abstract: "Power nodes on and off, set their boot device, read their sensors and inventory (IPMI, Redfish).",
        discussion: """
            ACTION: on | off | cycle | reset | soft | status | bootdev pxe|disk|bios|http | sensors | inventory
            NODES: node names, @group, ranges such as compute[01-64], separated by commas.

            Each node's BMC comes from its bmc: settings in nodes.yaml (protocol ipmi or redfish); the password from \
            bmc.password_file. One line per node (a line per sensor or inventory field), prefixed with the node's \
            name; exit status 1 when any node failed. BMCs are talked to in parallel (--parallel, default 50), each \
            within --timeout seconds; a silent or refusing BMC does not hold up the others. Changes (power, boot \
            device) also go into the running server's boot timeline, so `netroot status NODE` shows the power-on \
            before the node's first DISCOVER.

            Examples:
              netroot power status @compute                 rpower compute stat
              netroot power on compute[01-16]               rpower compute01-compute16 on
              netroot power bootdev pxe compute1            rsetboot compute1 net (next boot only)
              netroot power bootdev disk @compute --persistent --uefi
              netroot power sensors compute1                rvitals compute1: temperatures, voltages, fans, power
              netroot power inventory compute1 --json       rinv compute1: device ID, GUID, FRU board and product
            """
    )

    @Argument(help: ArgumentHelp("on, off, cycle, reset, soft, status, bootdev, sensors or inventory.",
                                 valueName: "ACTION"))
    var action: String

    @Argument(help: ArgumentHelp("For bootdev, the device (pxe, disk, bios, http) and then NODES; otherwise NODES.",
                                 valueName: "NODES"))
    var words: [String]

    @Flag(help: "bootdev: every boot, not only the next one.")
    var persistent = false

    @Flag(help: "bootdev: ask the firmware for a UEFI boot rather than a legacy one.")
    var uefi = false

    @OptionGroup var config: ConfigOption
    @OptionGroup var options: PowerOptions

    func run() async throws {
        let (operation, nodes) = try parsed()
        let inventory = try config.loadValidInventory()
        try await PowerSession(inventory: inventory, config: config, options: options).run(operation, nodes: nodes)
    }

    func parsed() throws -> (PowerOperation, String) {
        let simple: [String: PowerOperation] = [
            "on": .on, "off": .off, "cycle": .cycle, "reset": .reset, "soft": .soft, "status": .status,
            "stat": .status, "state": .status, "sensors": .sensors, "vitals": .sensors, "inventory": .inventory,
        ]
        if action == "bootdev" {
            guard words.count == 2, let target = BootTarget(rawValue: words[0]) else {
                throw ValidationError("usage: netroot power bootdev pxe|disk|bios|http NODES [--persistent] [--uefi]")
            }
            return (.bootDevice(target, persistent: persistent, uefi: uefi), words[1])
        }
        guard let operation = simple[action] else {
            throw ValidationError("unknown action '\(action)'; expected on, off, cycle, reset, soft, status, "
                                  + "bootdev, sensors or inventory")
        }
        guard words.count == 1 else { throw ValidationError("give NODES once, e.g. 'compute[01-04],login1'") }
        guard !persistent, !uefi else { throw ValidationError("--persistent and --uefi go with bootdev") }
        return (operation, words[0])
    }
}

/// `netroot boot NODES`: the next boot from the network, then power on (or cycle) — in batches.
struct BootCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "boot",
        abstract: "Boot nodes from the network: set PXE for the next boot, then power on (or cycle when on).",
        discussion: """
            What MAAS does to deploy: Set System Boot Options (PXE, next boot only), then power on, or power cycle \
            a node that is already on. Nodes go in batches of --batch started --interval seconds apart (xCAT's \
            syspowermaxnodes and syspowerinterval), so a rack powered on at once does not stampede the DHCP and \
            TFTP servers. Each node's power-on goes into the running server's boot timeline: `netroot status NODE` \
            shows it before the first DISCOVER, with every later step's delay from it.

            Examples:
              netroot boot compute1
              netroot boot @rack3 --batch 16 --interval 10
              netroot boot compute[01-64] --uefi --json
            """
    )

    @Argument(help: ArgumentHelp("Which nodes: names, @group, ranges, comma-separated.", valueName: "NODES"))
    var nodes: String

    @Option(help: ArgumentHelp("Nodes powered on together; 0 for all at once.", valueName: "N"))
    var batch = 20

    @Option(help: ArgumentHelp("Seconds between the starts of two batches.", valueName: "SECONDS"))
    var interval = 5.0

    @Flag(help: "Ask the firmware for a UEFI network boot rather than a legacy one.")
    var uefi = false

    @OptionGroup var config: ConfigOption
    @OptionGroup var options: PowerOptions

    func validate() throws {
        guard batch >= 0 else { throw ValidationError("--batch must be 0 or more") }
        guard interval >= 0 else { throw ValidationError("--interval must be 0 or more") }
    }

    func run() async throws {
        let inventory = try config.loadValidInventory()
        try await PowerSession(inventory: inventory, config: config, options: options)
            .run(.networkBoot(uefi: uefi), nodes: nodes, batchSize: batch, interval: interval)
    }
}
