import ArgumentParser
import BootConfig
import Inventory

/// `netroot pxe-config NAME`: exactly the pxelinux config TFTP serves the node.
struct PXEConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pxe-config",
        abstract: "Print the pxelinux config a node gets (what TFTP serves as pxelinux.cfg/01-<mac>).",
        discussion: """
            NAME may also be the node's MAC or IP address.

            Examples:
              netroot pxe-config compute1
              netroot pxe-config compute1 --uefi     as syslinux.efi fetches it
            """
    )

    @Argument(help: "The node's name, MAC or IP address.")
    var name: String

    @Flag(help: "The config as served beside the UEFI bootloader (syslinux.efi).")
    var uefi = false

    @OptionGroup var options: ConfigOption

    func run() throws {
        let inventory = try options.loadValidInventory()
        let profile = try inventory.requireProfile(matching: name)
        let files = BootConfigFiles(inventory: inventory)
        let directory = files.configDirectories[uefi && files.configDirectories.count > 1 ? 1 : 0]
        print(files.config(for: profile, directory: directory), terminator: "")
    }
}
