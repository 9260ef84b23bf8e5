import ArgumentParser
import DHCP
import Foundation
import Inventory

/// `netroot leases`: the leases in the journal under state_dir, with the node each belongs to.
struct LeasesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "leases",
        abstract: "List current leases: address, MAC, node, expiry.",
        discussion: """
            Examples:
              netroot leases --config /etc/netroot/nodes.yaml
              netroot leases --all --json
            """
    )

    @OptionGroup var options: ConfigOption

    @Flag(help: "Also list expired leases.")
    var all = false

    @Flag(help: "One JSON object per lease: address, mac, node, hostname, expires (seconds since 1970; null: never).")
    var json = false

    /// A lease for scripts.
    struct LeaseJSON: Encodable {
        var address, mac: String
        var node, hostname: String?
        var expires: Int64?
    }

    func run() throws {
        let inventory = try options.loadValidInventory()
        let path = inventory.server.stateDirectory + "/leases.journal"
        var table = LeaseTable()
        if let data = FileManager.default.contents(atPath: path) {
            _ = LeaseJournalFormat.replay(String(decoding: data, as: UTF8.self), into: &table)
        }
        let now = Int64(Date().timeIntervalSince1970)
        let leases = table.all.filter { all || $0.isActive(at: now) }
        if json {
            printJSON(leases.map { lease in
                LeaseJSON(address: "\(lease.address)", mac: "\(lease.mac)", node: inventory.profile(mac: lease.mac)?.name,
                          hostname: lease.hostname, expires: lease.expires == Int64.max ? nil : lease.expires)
            })
            return
        }
        let rows = leases.map { lease -> [String] in
            let node = inventory.profile(mac: lease.mac)?.name ?? "-"
            let expires = lease.expires == Int64.max ? "never"
                : lease.expires <= now ? "expired" : "in " + LeaseDuration(seconds: UInt32(min(lease.expires - now, Int64(UInt32.max - 1)))).description
            return ["\(lease.address)", "\(lease.mac)", node, lease.hostname ?? "-", expires]
        }
        print(InventoryReport.table(header: ["ADDRESS", "MAC", "NODE", "HOSTNAME", "EXPIRES"], rows: rows))
    }
}
