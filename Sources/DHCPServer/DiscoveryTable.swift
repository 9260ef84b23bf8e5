import Foundation
import Inventory

/// The text table of `netroot nodes discovered` (pure). Cells are escaped again as the table is drawn
/// (`InventoryReport.table`): a vendor class from an old file or a client never reaches the terminal raw.
public enum DiscoveryTable {
    public static func render(_ machines: [DiscoveredMachine]) -> String {
        let header = ["#", "MAC", "FIRST SEEN (UTC)", "LAST SEEN (UTC)", "COUNT", "ARCH", "NETWORK", "RELAY", "VENDOR CLASS"]
        let rows = machines.enumerated().map { index, machine in
            ["\(index + 1)", machine.mac, time(machine.firstSeen), time(machine.lastSeen), "\(machine.count)",
             machine.architecture.map(String.init) ?? "-", machine.network ?? "-", machine.relay ?? "-",
             machine.vendorClass ?? "-"]
        }
        return InventoryReport.table(header: header, rows: rows)
    }

    private static func time(_ seconds: Double) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: Date(timeIntervalSince1970: seconds))
    }
}
