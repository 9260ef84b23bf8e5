/// Where the next boot should come from (rsetboot's targets).
public enum BootTarget: String, Sendable, Equatable, CaseIterable, Codable {
    case pxe, disk, bios, http
}

/// One thing `netroot power` / `netroot boot` asks of a node's BMC.
public enum PowerOperation: Sendable, Equatable {
    case status
    case on
    case off
    case cycle
    case reset
    /// An orderly shutdown through the operating system (ACPI), not a cut.
    case soft
    case bootDevice(BootTarget, persistent: Bool, uefi: Bool)
    case sensors
    case inventory
    /// `netroot boot`: the next boot from the network, once; then power on, or cycle when already on (MAAS).
    case networkBoot(uefi: Bool)

    /// The word shown in result lines and JSON: `on`, `bootdev`, `boot`.
    public var name: String {
        switch self {
        case .status: "status"
        case .on: "on"
        case .off: "off"
        case .cycle: "cycle"
        case .reset: "reset"
        case .soft: "soft"
        case .bootDevice: "bootdev"
        case .sensors: "sensors"
        case .inventory: "inventory"
        case .networkBoot: "boot"
        }
    }
}
