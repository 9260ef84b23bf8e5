import DHCP
import Inventory
import Logging
import NIOPosix
import PostgresNIO

/// What `netroot leases` does to the shared database from the command line: create the schema, list leases,
/// forget a retired appliance.
public enum LeaseDatabaseAdmin {
    /// A lease as the database holds it, with who wrote it.
    public struct StoredLease: Sendable {
        public var lease: Lease
        /// False for a released lease (listed with `--all`).
        public var bound: Bool
        public var node: String?
        public var grantedBy: String
    }

    /// Creates the schema if the database has none; one line saying what it found.
    public static func initialize(_ settings: LeaseStoreSettings) async throws -> String {
        try await withConnection(settings) { connection, database in
            switch try await database.prepareSchema(on: connection) {
            case .created: "created the lease schema, version \(LeaseSchema.version)"
            case .current: "the lease schema is current (version \(LeaseSchema.version)); nothing to do"
            }
        }
    }

    /// Every lease row, in address order.
    public static func leases(_ settings: LeaseStoreSettings) async throws -> [StoredLease] {
        try await withConnection(settings) { connection, database in
            _ = try await database.prepareSchema(on: connection)
            let rows = try await connection.query("""
                SELECT host(address), mac::text, state, expires, coalesce(hostname, ''),
                       coalesce(client_architecture, -1), granted_by, extract(epoch FROM updated_at)::float8,
                       coalesce(node, '')
                  FROM netroot_leases ORDER BY address
                """, logger: database.logger).get()
            return try rows.map { row in
                let (address, mac, state, expires, hostname, architecture, grantedBy, _, node) =
                    try row.decode((String, String, String, Int64, String, Int32, String, Double, String).self)
                guard let ip = IPv4Address(address), let hardware = MACAddress(mac) else {
                    throw DatabaseError.Fatal(description: "unreadable lease row \(address) \(mac)")
                }
                let lease = Lease(mac: hardware, address: ip, expires: expires, state: .bound,
                                  hostname: hostname.isEmpty ? nil : hostname,
                                  clientArchitecture: architecture < 0 ? nil : UInt16(clamping: architecture))
                return StoredLease(lease: lease, bound: state == "bound", node: node.isEmpty ? nil : node,
                                   grantedBy: grantedBy)
            }
        }
    }

    /// What `forget` did, or why it would not.
    public enum Forgetting: Sendable, Equatable {
        /// The appliance's row is gone; it had been silent this many seconds.
        case forgotten(silentSeconds: Double)
        /// Its heartbeat is younger than `heartbeat_timeout`: it is running, and would write itself back.
        case alive(heartbeatAge: Double)
        case unknown
    }

    /// Removes a retired appliance from `netroot_appliances`, so the others stop keeping its share of the
    /// RFC 3074 buckets for its return; the leases it granted stay. One statement: a heartbeat arriving at the
    /// same moment either keeps the row (alive) or comes after the delete and writes it back.
    public static func forget(appliance: String, _ settings: LeaseStoreSettings) async throws -> Forgetting {
        try await withConnection(settings) { connection, database in
            _ = try await database.prepareSchema(on: connection)
            let timeout = Double(settings.heartbeatTimeout)
            let rows = try await connection.query("""
                WITH target AS (
                  SELECT name, extract(epoch FROM now() - heartbeat)::float8 AS age
                    FROM netroot_appliances WHERE name = \(appliance) FOR UPDATE),
                gone AS (
                  DELETE FROM netroot_appliances a USING target t WHERE a.name = t.name AND t.age >= \(timeout)
                  RETURNING a.name)
                SELECT t.age, EXISTS (SELECT 1 FROM gone) FROM target t
                """, logger: database.logger)
            var outcome = Forgetting.unknown
            for try await (age, deleted) in rows.decode((Double, Bool).self) {
                outcome = deleted ? .forgotten(silentSeconds: age) : .alive(heartbeatAge: age)
            }
            return outcome
        }
    }

    private static func withConnection<Value: Sendable>(
        _ settings: LeaseStoreSettings,
        _ body: (PostgresConnection, LeaseDatabase) async throws -> Value
    ) async throws -> Value {
        var logger = Logger(label: "netroot.leases")
        logger.logLevel = .critical
        let database = LeaseDatabase(logger: logger)
        let connection: PostgresConnection
        do {
            let configuration = try LeaseDatabase.configuration(for: settings)
            connection = try await PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration, id: 1, logger: logger)
                .get()
        } catch {
            throw LeaseStoreError(description: "lease database \(settings.url.map { "\($0)" } ?? ""): "
                                      + DatabaseError.describe(error))
        }
        do {
            let value = try await body(connection, database)
            try? await connection.close().get()
            return value
        } catch {
            try? await connection.close().get()
            throw LeaseStoreError(description: "lease database \(settings.url.map { "\($0)" } ?? ""): "
                                      + DatabaseError.describe(error))
        }
    }
}
