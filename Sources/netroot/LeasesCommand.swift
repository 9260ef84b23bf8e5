import ArgumentParser
import DHCP
import Foundation
import Inventory
import Leases
import Values

/// `netroot leases`: the leases, from the journal under state_dir or the shared database; `init-db` for the latter.
struct LeasesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "leases",
        abstract: "List current leases: address, MAC, node, expiry, and which appliance granted each.",
        discussion: """
            Reads the lease store server.leases names: the journal in state_dir, or the PostgreSQL database \
            appliances share (then `netroot leases init-db` creates its schema; `serve` also does on an empty one).

            Examples:
              netroot leases --config /etc/netroot/nodes.yaml
              netroot leases --all --json
              netroot leases init-db
              netroot leases forget rack2-appliance
            """,
        subcommands: [LeasesListCommand.self, LeasesInitDatabaseCommand.self, LeasesForgetCommand.self],
        defaultSubcommand: LeasesListCommand.self
    )
}

/// `netroot leases [list]`.
struct LeasesListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List current leases (the default).",
        discussion: """
            Examples:
              netroot leases list --all
              netroot leases --json
            """)

    @OptionGroup var options: ConfigOption

    @Flag(help: "Also list expired and released leases.")
    var all = false

    @Flag(help: """
        One JSON object per lease: address, mac, node, hostname, expires (seconds since 1970; null: never), \
        granted_by (the appliance; null for the journal).
        """)
    var json = false

    /// A lease for scripts.
    struct LeaseJSON: Encodable {
        var address, mac: String
        var node, hostname: String?
        var expires: Int64?
        var grantedBy: String?

        enum CodingKeys: String, CodingKey {
            case address, mac, node, hostname, expires
            case grantedBy = "granted_by"
        }
    }

    func run() async throws {
        let inventory = try options.loadValidInventory()
        let now = Int64(Date().timeIntervalSince1970)
        var listed: [(lease: Lease, grantedBy: String?)] = []
        switch inventory.server.leases.backend {
        case .journal:
            let path = inventory.server.stateDirectory + "/leases.journal"
            var table = LeaseTable()
            if let data = FileManager.default.contents(atPath: path) {
                _ = LeaseJournalFormat.replay(String(decoding: data, as: UTF8.self), into: &table)
            }
            listed = table.all.filter { all || $0.isActive(at: now) }.map { ($0, nil) }
        case .postgresql:
            do {
                let stored = try await LeaseDatabaseAdmin.leases(inventory.server.leases)
                listed = stored.leases
                    .filter { all || ($0.bound && $0.lease.isActive(at: now)) }
                    .map { ($0.lease, $0.grantedBy) }
                // Rows netroot cannot use are skipped here as by serve, and named (the database's words escaped).
                if !stored.unreadable.isEmpty {
                    printError(Terminal.safe("netroot: warning: skipped \(stored.unreadable.count) lease row(s) "
                        + "netroot cannot read: " + stored.unreadable.prefix(10).map(\.description).joined(separator: "; ")
                        + (stored.unreadable.count > 10 ? "; …" : "")))
                }
            } catch {
                printError("netroot: \(error)")
                throw ExitCode(1)
            }
        }
        if json {
            printJSON(listed.map { entry in
                let lease = entry.lease
                return LeaseJSON(address: "\(lease.address)", mac: "\(lease.mac)",
                                 node: inventory.profile(mac: lease.mac)?.name, hostname: lease.hostname,
                                 expires: lease.expires == Int64.max ? nil : lease.expires, grantedBy: entry.grantedBy)
            })
            return
        }
        let shared = inventory.server.leases.backend == .postgresql
        let rows = listed.map { entry -> [String] in
            let lease = entry.lease
            let node = inventory.profile(mac: lease.mac)?.name ?? "-"
            let expires = lease.expires == Int64.max ? "never"
                : lease.expires <= now ? "expired" : "in " + LeaseDuration(seconds: UInt32(min(lease.expires - now, Int64(UInt32.max - 1)))).description
            let row = ["\(lease.address)", "\(lease.mac)", node, lease.hostname ?? "-", expires]
            return shared ? row + [entry.grantedBy ?? "-"] : row
        }
        let header = ["ADDRESS", "MAC", "NODE", "HOSTNAME", "EXPIRES"] + (shared ? ["GRANTED BY"] : [])
        print(InventoryReport.table(header: header, rows: rows))
    }
}

/// `netroot leases forget NAME`: removes a retired appliance from the shared database.
struct LeasesForgetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forget",
        abstract: "Remove a retired appliance from the shared lease database, so the others take its share for good.",
        discussion: """
            An appliance that stops writing its heartbeat has its share of clients (RFC 3074 buckets) answered by \
            the others until it returns; `status` keeps listing it as silent. Forget it when it is not coming \
            back: the others then divide the buckets among themselves alone. The leases it granted stay. An \
            appliance whose heartbeat is younger than server.leases.heartbeat_timeout is running and is refused \
            (stop it first); one that starts again later simply rejoins.

            Examples:
              netroot leases forget rack2-appliance --config /etc/netroot/nodes.yaml
            Exit status: 0 forgotten, 1 refused (alive, unknown, or the database unreachable).
            """)

    @Argument(help: "The appliance's name in the database (server.leases.name, or its server address).")
    var appliance: String

    @OptionGroup var options: ConfigOption

    func run() async throws {
        let inventory = try options.loadSharedLeaseInventory(otherwise: "no appliances to forget")
        let outcome: LeaseDatabaseAdmin.Forgetting
        do {
            outcome = try await LeaseDatabaseAdmin.forget(appliance: appliance, inventory.server.leases)
        } catch {
            printError("netroot: \(error)")
            throw ExitCode(1)
        }
        switch outcome {
        case .forgotten(let silent):
            print("forgot appliance \(appliance) (silent for \(Int(silent)) s); the others divide its share among "
                  + "themselves; the leases it granted stay")
        case .alive(let age):
            printError("netroot: appliance \(appliance) wrote a heartbeat \(String(format: "%.1f", age)) s ago "
                       + "(within heartbeat_timeout \(inventory.server.leases.heartbeatTimeout) s): it is running; "
                       + "stop it first")
            throw ExitCode(1)
        case .unknown:
            printError("netroot: no appliance named '\(appliance)' in the lease database (`netroot status` lists them)")
            throw ExitCode(1)
        }
    }
}

/// `netroot leases init-db`: creates the shared database's schema, or says it is current.
struct LeasesInitDatabaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init-db",
        abstract: "Create or upgrade the lease schema in the PostgreSQL database server.leases names (idempotent).",
        discussion: """
            Creates netroot's tables and function (schema version \(LeaseSchema.version)) when the database has \
            none, says so when they are current, and refuses a schema version it does not know. A version 1 \
            database is upgraded in place, in one transaction: rows the new constraints refuse (an address that \
            is not one IPv4 host, a NULL) are moved to the table netroot_leases_rejected and counted. `serve` \
            does the same on start (under a lock, so appliances starting at once do it once), so this is for \
            preparing a database ahead of time, or for upgrading it as the owner of its tables.

            Examples:
              netroot leases init-db --config /etc/netroot/nodes.yaml
            """)

    @OptionGroup var options: ConfigOption

    func run() async throws {
        let inventory = try options.loadSharedLeaseInventory(otherwise: "nothing to create")
        do {
            let outcome = try await LeaseDatabaseAdmin.initialize(inventory.server.leases)
            print("\(inventory.server.leases.url.map { "\($0)" } ?? ""): \(outcome)")
        } catch {
            printError("netroot: \(error)")
            throw ExitCode(1)
        }
    }
}

extension ConfigOption {
    /// The valid inventory, when its server.leases is the shared PostgreSQL database; otherwise says so, with
    /// `consequence` ("nothing to create"), and exits 1.
    func loadSharedLeaseInventory(otherwise consequence: String) throws -> Inventory {
        let inventory = try loadValidInventory()
        guard inventory.server.leases.backend == .postgresql else {
            printError("netroot: server.leases is not a postgresql backend in \(inventory.file); \(consequence)")
            throw ExitCode(1)
        }
        return inventory
    }
}
