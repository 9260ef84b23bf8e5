import DHCP
import Foundation
import Inventory
import Logging
import NIOCore
import NIOSSL
import PostgresNIO
import Support

/// The SQL netroot runs, one function per exchange, on a connection it is handed. No state of its own.
struct LeaseDatabase: Sendable {
    let logger: Logger

    /// The connection settings for `settings`: the URL, the password file's secret (read by the one rule for
    /// secret files, `SecretFile`: its systemd credential when there is one), TLS. `warn` hears that the password
    /// file is readable by group or others.
    static func configuration(for settings: LeaseStoreSettings,
                              environment: [String: String] = ProcessInfo.processInfo.environment,
                              warn: (String) -> Void = { _ in }) throws -> PostgresConnection.Configuration {
        guard let url = settings.url else { throw DatabaseError.Fatal(description: "server.leases has no url") }
        var password = url.password
        if let path = settings.passwordFile {
            let file: SecretFile
            do { file = try SecretFile.read(path, environment: environment) } catch {
                throw DatabaseError.Fatal(description: "password_file \(error)")
            }
            if let warning = file.warning { warn("server.leases password_file \(warning)") }
            password = file.secret
        }
        var configuration: PostgresConnection.Configuration
        switch url.endpoint {
        case .unixSocket:
            configuration = .init(unixSocketPath: url.socketPath!, username: url.user, password: password,
                                  database: url.database)
        case .tcp(let host, let port):
            configuration = .init(host: host, port: port, username: url.user, password: password,
                                  database: url.database, tls: try tls(for: settings))
        }
        configuration.options.connectTimeout = .seconds(5)
        return configuration
    }

    private static func tls(for settings: LeaseStoreSettings) throws -> PostgresConnection.Configuration.TLS {
        var tls = TLSConfiguration.makeClientConfiguration()
        switch settings.effectiveTLS {
        case .disable: return .disable
        case .prefer, .require: tls.certificateVerification = .none
        case .verifyFull:
            tls.certificateVerification = .fullVerification
            if let ca = settings.tlsCAFile { tls.trustRoots = .file(ca) }
        }
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: tls)
        } catch {
            throw DatabaseError.Fatal(description: "cannot set up TLS: \(error)")
        }
        return settings.effectiveTLS == .prefer ? .prefer(context) : .require(context)
    }

    // MARK: schema

    /// What `prepareSchema` found, or did.
    enum SchemaOutcome: Equatable {
        case created
        case current
        /// Upgraded in place from an older version; `rejected` rows the new constraints refuse were moved to
        /// `netroot_leases_rejected`.
        case upgraded(from: Int, rejected: Int)
        /// An older version this netroot still reads, left as it is (`upgrade: false`).
        case older(Int)
    }

    /// Creates the schema when the database has none, upgrades an older version in place (one transaction, under
    /// the creation lock; with `upgrade: false` it is left as it is), accepts the current version, and refuses any
    /// other. An upgrade the database refuses (the user does not own the tables) changes nothing and says so.
    func prepareSchema(on connection: PostgresConnection, upgrade: Bool = true) async throws -> SchemaOutcome {
        try await connection.query("BEGIN", logger: logger)
        do {
            try await connection.query("SELECT pg_advisory_xact_lock(\(LeaseSchema.creationLock))", logger: logger)
            let exists = try await connection.query("SELECT to_regclass('netroot_schema') IS NOT NULL",
                                                    logger: logger)
            var present = false
            for try await value in exists.decode(Bool.self) { present = value }
            if present {
                let rows = try await connection.query("SELECT coalesce(max(version), 0) FROM netroot_schema",
                                                      logger: logger)
                var version = 0
                for try await value in rows.decode(Int32.self) { version = Int(value) }
                if version == LeaseSchema.version {
                    try await connection.query("COMMIT", logger: logger)
                    return .current
                }
                if LeaseSchema.upgradable.contains(version) {
                    guard upgrade else {
                        try await connection.query("COMMIT", logger: logger)
                        return .older(version)
                    }
                    let rejected: Int
                    do {
                        rejected = try await upgradeFromVersion1(on: connection)
                        try await connection.query("COMMIT", logger: logger)
                    } catch where DatabaseError.isStatementFailure(error) {
                        throw DatabaseError.Fatal(description: "the lease database's schema version is \(version) "
                            + "and upgrading it to version \(LeaseSchema.version) failed: "
                            + "\(DatabaseError.describe(error)); nothing was changed (the upgrade is one "
                            + "transaction): run `netroot leases init-db` as the owner of netroot's tables")
                    }
                    return .upgraded(from: version, rejected: rejected)
                }
                try await connection.query("COMMIT", logger: logger)
                throw DatabaseError.Fatal(description: "the lease database's schema version is \(version); "
                    + "this netroot knows versions \(LeaseSchema.upgradable.map(String.init).joined(separator: ", ")) "
                    + "(which it upgrades) and \(LeaseSchema.version) only (a newer netroot wrote it, or the "
                    + "database is not netroot's)")
            }
            for statement in LeaseSchema.create {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            try await createCommitFunction(on: connection, replacing: false)
            try await connection.query(PostgresQuery(unsafeSQL: LeaseSchema.recordVersion), logger: logger)
            try await connection.query("COMMIT", logger: logger)
            return .created
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
    }

    /// Version 1 to the current one, inside the caller's transaction: rows the new constraints refuse are moved
    /// to `netroot_leases_rejected` (their count is returned), then the constraints, the function and the version.
    private func upgradeFromVersion1(on connection: PostgresConnection) async throws -> Int {
        try await connection.query(PostgresQuery(unsafeSQL: LeaseSchema.createRejected), logger: logger)
        var rejected = 0
        let moved = try await connection.query(PostgresQuery(unsafeSQL: LeaseSchema.moveRejected), logger: logger)
        for try await count in moved.decode(Int64.self) { rejected = Int(count) }
        for statement in LeaseSchema.upgradeFrom1 {
            try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
        }
        try await createCommitFunction(on: connection, replacing: true)
        try await connection.query(PostgresQuery(unsafeSQL: LeaseSchema.recordVersion), logger: logger)
        return rejected
    }

    /// `netroot_commit()`, its search_path pinned to pg_catalog and the schema holding `netroot_leases`: a
    /// caller's search_path (a schema of its own with a table or function of the same name) cannot redirect it.
    private func createCommitFunction(on connection: PostgresConnection, replacing: Bool) async throws {
        let rows = try await connection.query("""
            SELECT quote_ident(n.nspname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.oid = 'netroot_leases'::regclass
            """, logger: logger)
        var schema: String?
        for try await name in rows.decode(String.self) { schema = name }
        guard let schema else { throw DatabaseError.Fatal(description: "netroot_leases has no schema") }
        let sql = LeaseSchema.commitFunction(schema: schema, replacing: replacing)
        try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
    }

    // MARK: leases

    /// Every bound lease, for a full resync after (re)connecting; rows netroot cannot use are set apart.
    func boundLeases(on connection: PostgresConnection) -> EventLoopFuture<LeaseRows> {
        connection.query("""
            SELECT host(address), mac::text, state, expires, coalesce(hostname, ''), coalesce(client_architecture, -1),
                   granted_by
              FROM netroot_leases WHERE state = 'bound'
            """, logger: logger).map { LeaseRows($0) }
    }

    /// Rows other appliances wrote since `since` (Unix seconds, by the database's clock).
    func partnerChanges(since: Double, appliance: String, on connection: PostgresConnection)
        -> EventLoopFuture<LeaseRows> {
        connection.query("""
            SELECT host(address), mac::text, state, expires, coalesce(hostname, ''), coalesce(client_architecture, -1),
                   granted_by
              FROM netroot_leases WHERE granted_by <> \(appliance) AND updated_at > to_timestamp(\(since))
             ORDER BY updated_at
            """, logger: logger).map { LeaseRows($0) }
    }

    /// Commits `changes` in one transaction (one function call): the refused bindings, by index.
    func commit(_ changes: [LeaseChange], appliance: String, on connection: PostgresConnection)
        -> EventLoopFuture<[Int: LeaseCommitResult.Refusal]> {
        var kinds: [String] = [], addresses: [String] = [], macs: [String] = [], expires: [Int64] = []
        var hostnames: [String] = [], architectures: [Int32] = [], nodes: [String] = []
        for change in changes {
            switch change.update {
            case .bind(let lease):
                kinds.append("bind")
                addresses.append("\(lease.address)")
                macs.append("\(lease.mac)")
                expires.append(lease.expires)
                hostnames.append(lease.hostname ?? "")
                architectures.append(lease.clientArchitecture.map(Int32.init) ?? -1)
            case .release(let mac, let address):
                kinds.append("release")
                addresses.append("\(address)")
                macs.append("\(mac)")
                expires.append(0)
                hostnames.append("")
                architectures.append(-1)
            }
            nodes.append(change.node ?? "")
        }
        let query: PostgresQuery = """
            SELECT refused, coalesce(holder_mac, ''), coalesce(holder_expires, 0), coalesce(holder_state, '')
              FROM netroot_commit(\(kinds), \(addresses)::inet[], \(macs)::macaddr[], \(expires), \(hostnames),
                                  \(architectures), \(nodes), \(appliance))
            """
        return connection.query(query, logger: logger).flatMapThrowing { result in
            var refused: [Int: LeaseCommitResult.Refusal] = [:]
            for row in result {
                let (index, mac, expiry, state) = try row.decode((Int32, String, Int64, String).self)
                let position = Int(index) - 1
                guard changes.indices.contains(position), case .bind(let wanted) = changes[position].update else {
                    continue
                }
                let holder = MACAddress(mac).map {
                    Lease(mac: $0, address: wanted.address, expires: expiry, state: state == "bound" ? .bound : .offered)
                }
                refused[position] = .heldBy(holder)
            }
            return refused
        }
    }

    // MARK: appliances

    /// Reads everyone's heartbeat, then records this appliance's, by the database's clock, with that clock's
    /// time. Reading first shows who wrote this appliance's row last: another appliance of the same name, if any.
    func heartbeat(appliance: String, address: String, on connection: PostgresConnection)
        -> EventLoopFuture<(appliances: [(name: String, address: String, age: Double)], now: Double)> {
        connection.query("""
            SELECT name, coalesce(address, ''), extract(epoch FROM now() - heartbeat)::float8,
                   extract(epoch FROM now())::float8
              FROM netroot_appliances ORDER BY name
            """, logger: logger).flatMapThrowing { result in
            var now = 0.0
            let appliances = try result.map { row in
                let (name, address, age, clock) = try row.decode((String, String, Double, Double).self)
                now = clock
                return (name, address, age)
            }
            return (appliances, now)
        }.flatMap { beat in
            connection.query("""
                INSERT INTO netroot_appliances (name, address, heartbeat) VALUES (\(appliance), \(address), now())
                ON CONFLICT (name) DO UPDATE SET address = EXCLUDED.address, heartbeat = now()
                """, logger: self.logger).map { _ in beat }
        }
    }
}

/// One row of `netroot_leases` as the appliance needs it.
struct LeaseRow: Sendable, Equatable {
    var update: LeaseUpdate
    var grantedBy: String

    /// The row, from its columns as the database sent them (nil: NULL), or why netroot cannot use it. Data is
    /// never fatal: such a row is skipped, counted and logged once (`UnreadableRows`), and the rest is served.
    static func decode(address: String?, mac: String?, state: String?, expires: Int64?, hostname: String?,
                       architecture: Int32?, grantedBy: String?) -> Result<LeaseRow, UnreadableLeaseRow> {
        func unreadable(_ reason: String) -> Result<LeaseRow, UnreadableLeaseRow> {
            .failure(UnreadableLeaseRow(address: address, mac: mac, reason: reason))
        }
        guard let address else { return unreadable("the address is NULL") }
        guard let ip = IPv4Address(address) else { return unreadable("the address is not an IPv4 address") }
        guard let mac else { return unreadable("the MAC is NULL") }
        guard let hardware = MACAddress(mac) else { return unreadable("the MAC is not a 6-byte Ethernet address") }
        guard let state else { return unreadable("the state is NULL") }
        guard state == "bound" || state == "released" else { return unreadable("the state is neither bound nor released") }
        guard let grantedBy else { return unreadable("granted_by is NULL") }
        if state == "released" { return .success(LeaseRow(update: .release(mac: hardware, address: ip), grantedBy: grantedBy)) }
        guard let expires else { return unreadable("expires is NULL") }
        let architecture = architecture ?? -1
        let hostname = hostname ?? ""
        return .success(LeaseRow(
            update: .bind(Lease(mac: hardware, address: ip, expires: expires, state: .bound,
                                hostname: hostname.isEmpty ? nil : hostname,
                                clientArchitecture: architecture < 0 ? nil : UInt16(clamping: architecture),
                                grantedBy: grantedBy)),
            grantedBy: grantedBy))
    }

    /// The row of a query selecting address, mac, state, expires, hostname, client_architecture and granted_by
    /// (in that order), each column decoded on its own: one of another type is as unreadable as a NULL.
    static func decode(_ row: PostgresRow) -> Result<LeaseRow, UnreadableLeaseRow> {
        let cells = row.makeRandomAccess()
        var problem: String?
        func column<Value: PostgresDecodable>(_ index: Int, _ name: String, _ type: Value.Type) -> Value?
            where Value._DecodableType == Value {
            guard index < cells.count else {
                problem = problem ?? "\(name) is missing"
                return nil
            }
            do { return try cells[index].decode(Value?.self) } catch {
                problem = problem ?? "\(name) is not of the type netroot reads (\(cells[index].dataType))"
                return nil
            }
        }
        let address = column(0, "the address", String.self), mac = column(1, "the MAC", String.self)
        let state = column(2, "the state", String.self), expires = column(3, "expires", Int64.self)
        let hostname = column(4, "the host name", String.self)
        let architecture = column(5, "client_architecture", Int32.self)
        let grantedBy = column(6, "granted_by", String.self)
        if let problem { return .failure(UnreadableLeaseRow(address: address, mac: mac, reason: problem)) }
        return decode(address: address, mac: mac, state: state, expires: expires, hostname: hostname,
                      architecture: architecture, grantedBy: grantedBy)
    }
}

/// A lease row netroot cannot use (an address that is not IPv4, a MAC that does not parse, a NULL): skipped.
public struct UnreadableLeaseRow: Error, Sendable, Equatable, CustomStringConvertible {
    /// The address as the database printed it (nil: NULL or undecodable).
    public var address: String?
    public var mac: String?
    public var reason: String

    public init(address: String?, mac: String?, reason: String) {
        self.address = address
        self.mac = mac
        self.reason = reason
    }

    /// What names the row: its address (the primary key), else its MAC.
    public var key: String {
        if let address { return "address \(address)" }
        return "address NULL, mac \(mac ?? "NULL")"
    }

    /// `address fd00::5 (mac 52:54:00:00:00:01): the address is not an IPv4 address`
    public var description: String {
        key + (address != nil ? " (mac \(mac ?? "NULL"))" : "") + ": " + reason
    }
}

/// The rows of one read: those netroot can use, and those it skipped.
struct LeaseRows: Sendable {
    var rows: [LeaseRow] = []
    var unreadable: [UnreadableLeaseRow] = []

    init(rows: [LeaseRow] = [], unreadable: [UnreadableLeaseRow] = []) {
        self.rows = rows
        self.unreadable = unreadable
    }

    init(_ result: PostgresQueryResult) {
        for row in result {
            switch LeaseRow.decode(row) {
            case .success(let row): rows.append(row)
            case .failure(let unreadable): self.unreadable.append(unreadable)
            }
        }
    }
}
