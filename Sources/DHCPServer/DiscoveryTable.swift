import Foundation
import Inventory

/// The text table of `netroot nodes discovered` (pure). Cells are escaped again as the table is drawn
/// (`InventoryReport.table`): a vendor class from an old file or a client never reaches the terminal raw.
public enum DiscoveryTable {
    /// The table; LOCAL says `yes` for a locally administered MAC, and a note under the table says what that means
    /// when any is listed.
    public static func render(_ machines: [DiscoveredMachine]) -> String {
        let header = ["#", "MAC", "LOCAL", "FIRST SEEN (UTC)", "LAST SEEN (UTC)", "COUNT", "ARCH", "NETWORK", "RELAY",
                      "VENDOR CLASS"]
        let rows = machines.enumerated().map { index, machine in
            ["\(index + 1)", machine.mac, machine.isLocallyAdministered ? "yes" : "-", time(machine.firstSeen),
             time(machine.lastSeen), "\(machine.count)", machine.architecture.map(String.init) ?? "-",
             machine.network ?? "-", machine.relay ?? "-", machine.vendorClass ?? "-"]
        }
        let table = InventoryReport.table(header: header, rows: rows)
        guard machines.contains(where: \.isLocallyAdministered) else { return table }
        return table + "\n" + localNote
    }

    /// What LOCAL yes means, under the table.
    public static let localNote = "LOCAL yes: a locally administered MAC (bit 0x02 of its first octet), set by "
        + "software: a virtual machine (QEMU/KVM 52:54:00:...), or anyone on the VLAN; nodes adopt --all skips them "
        + "unless --include-local"

    private static func time(_ seconds: Double) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: Date(timeIntervalSince1970: seconds))
    }
}
