import BootConfig
import DHCP
import Inventory

/// One accepted inventory with everything the servers derive from it, built once and never changed: a request
/// that reads it sees the inventory, the DHCP responder and the generated boot configs of the same version.
public final class InventorySnapshot: Sendable {
    /// 1 for the inventory read at start, one more for each reload that took effect.
    public let version: Int
    public let inventory: Inventory
    /// The DHCP policy over this inventory.
    public let responder: Responder
    /// The generated `pxelinux.cfg/…` files TFTP serves.
    public let bootConfigs: BootConfigFiles

    public init(version: Int, inventory: Inventory) {
        self.version = version
        self.inventory = inventory
        responder = Responder(inventory: inventory)
        bootConfigs = BootConfigFiles(inventory: inventory)
    }

    /// The nodes' effective settings.
    public var profiles: [BootProfile] { inventory.profiles }
}
