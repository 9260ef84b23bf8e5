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

    /// Creates the schema if the database has none, or upgrades an older version in place (one transaction:
    /// rows the new constraints refuse are moved to `netroot_leases_rejected`); one line saying what it did.
    public static func initialize(_ settings: LeaseStoreSettings) async throws -> String {
        try await withConnection(settings) { connection, database in
            let outcome = try await database.prepareSchema(on: connection)
            return Self.describe(outcome)
        }
    }

    /// What `prepareSchema` did, in words (init-db's line, serve's log line).
    static func describe(_ outcome: LeaseDatabase.SchemaOutcome) -> String {
        switch outcome {
        case .created: "created the lease schema, version \(LeaseSchema.version)"
        case .current: "the lease schema is current (version \(LeaseSchema.version)); nothing to do"
        case .older(let version): "the lease schema is version \(version) (`netroot leases init-db` upgrades it)"
        case .upgraded(let from, let rejected):
            "upgraded the lease schema from version \(from) to \(LeaseSchema.version); "
                + (rejected == 0 ? "every lease row was kept"
                    : "\(rejected) row(s) netroot cannot use (an address that is not one IPv4 host, a NULL) moved "
                        + "to netroot_leases_rejected")
        }
    }

    /// Every lease row netroot can read, in address order, and the rows it cannot (skipped, with why).
    public static func leases(_ settings: LeaseStoreSettings) async throws
        -> (leases: [StoredLease], unreadable: [UnreadableLeaseRow]) {
        try await withConnection(settings) { connection, database in
            _ = try await database.prepareSchema(on: connection, upgrade: false)
            let rows = try await connection.query("""
                SELECT host(address), mac::text, state, expires, coalesce(hostname, ''),
                       coalesce(client_architecture, -1), granted_by, extract(epoch FROM updated_at)::float8,
                       coalesce(node, '')
                  FROM netroot_leases ORDER BY address
                """, logger: database.logger).get()
            var listed: [StoredLease] = []
            var unreadable: [UnreadableLeaseRow] = []
            for row in rows {
                let cells = row.makeRandomAccess()
                let node = (try? cells[8].decode(String?.self)).flatMap { $0.isEmpty ? nil : $0 }
                switch LeaseRow.decode(row) {
                case .success(let read):
                    let lease: Lease
                    var bound = false
                    switch read.update {
                    case .bind(var held):
                        held.grantedBy = nil
                        lease = held
                        bound = true
                    case .release(let mac, let address):
                        // A released row's expires is its end (a NULL one: long over).
                        let expires = (try? cells[3].decode(Int64?.self)) ?? 0
                        lease = Lease(mac: mac, address: address, expires: expires, state: .bound)
                    }
                    listed.append(StoredLease(lease: lease, bound: bound, node: node,
                                              grantedBy: read.grantedBy))
                case .failure(let row):
                    unreadable.append(row)
                }
            }
            return (listed, unreadable)
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
            _ = try await database.prepareSchema(on: connection, upgrade: false)
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
