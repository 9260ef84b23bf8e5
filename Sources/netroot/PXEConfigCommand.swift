import ArgumentParser
import BootConfig
import DHCP
import Inventory
import NetworkSupport

/// `netroot pxe-config NAME`: exactly the pxelinux config TFTP serves the node.
struct PXEConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pxe-config",
        abstract: "Print the boot config a node gets: its pxelinux config, iPXE script (boot: ipxe) or GRUB config (boot: grub).",
        discussion: """
            NAME may also be the node's MAC or IP address. For a node with boot: pxelinux (the default) this is \
            what TFTP serves as pxelinux.cfg/01-<mac>; for boot: ipxe, the script the HTTP boot service serves \
            as /ipxe/01-<mac>.ipxe; for boot: grub, what TFTP and HTTP serve as grub/grub.cfg-<mac> (GRUB reads \
            it through the dispatcher grub/grub.cfg).

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
        if profile.boot.value == .ipxe {
            // The address DHCP hands out as next-server: server.address, else the interface's first address.
            let address = inventory.server.address
                ?? (try? InterfaceInfo.lookup(inventory.server.interface))?.addresses.first
            let base = address.map { IPXEScriptPath.baseURL(address: $0, port: inventory.server.httpBootPort) }
                ?? "http://SERVER:\(inventory.server.httpBootPort)"
            print(IPXEScript.node(profile, baseURL: base), terminator: "")
            return
        }
        let files = BootConfigFiles(inventory: inventory)
        if profile.boot.value == .grub {
            print(files.grubConfig(for: profile), terminator: "")
            return
        }
        let directory = files.configDirectories[uefi && files.configDirectories.count > 1 ? 1 : 0]
        print(files.config(for: profile, directory: directory), terminator: "")
    }
}
