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
        switch settings.tls {
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
        return settings.tls == .prefer ? .prefer(context) : .require(context)
    }

    // MARK: schema

    /// What `prepareSchema` found.
    enum SchemaOutcome: Equatable {
        case created
        case current
    }

    /// Creates the schema when the database has none; accepts the current version; refuses any other.
    func prepareSchema(on connection: PostgresConnection) async throws -> SchemaOutcome {
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
                try await connection.query("COMMIT", logger: logger)
                guard version == LeaseSchema.version else {
                    throw DatabaseError.Fatal(description: "the lease database's schema version is \(version); "
                        + "this netroot knows version \(LeaseSchema.version) only (a newer netroot wrote it, or "
                        + "the database is not netroot's)")
                }
                return .current
            }
            for statement in LeaseSchema.create {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            try await connection.query("COMMIT", logger: logger)
            return .created
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
    }

    // MARK: leases

    /// Every bound lease, for a full resync after (re)connecting.
    func boundLeases(on connection: PostgresConnection) -> EventLoopFuture<[LeaseRow]> {
        connection.query("""
            SELECT host(address), mac::text, state, expires, coalesce(hostname, ''), coalesce(client_architecture, -1),
                   granted_by
              FROM netroot_leases WHERE state = 'bound'
            """, logger: logger).flatMapThrowing { try $0.map(LeaseRow.init(row:)) }
    }

    /// Rows other appliances wrote since `since` (Unix seconds, by the database's clock).
    func partnerChanges(since: Double, appliance: String, on connection: PostgresConnection)
        -> EventLoopFuture<[LeaseRow]> {
        connection.query("""
            SELECT host(address), mac::text, state, expires, coalesce(hostname, ''), coalesce(client_architecture, -1),
                   granted_by
              FROM netroot_leases WHERE granted_by <> \(appliance) AND updated_at > to_timestamp(\(since))
             ORDER BY updated_at
            """, logger: logger).flatMapThrowing { try $0.map(LeaseRow.init(row:)) }
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
struct LeaseRow: Sendable {
    var update: LeaseUpdate
    var grantedBy: String

    init(row: PostgresRow) throws {
        let (address, mac, state, expires, hostname, architecture, grantedBy) =
            try row.decode((String, String, String, Int64, String, Int32, String).self)
        guard let ip = IPv4Address(address), let hardware = MACAddress(mac) else {
            throw DatabaseError.Fatal(description: "unreadable lease row \(address) \(mac)")
        }
        if state == "bound" {
            update = .bind(Lease(mac: hardware, address: ip, expires: expires, state: .bound,
                                 hostname: hostname.isEmpty ? nil : hostname,
                                 clientArchitecture: architecture < 0 ? nil : UInt16(clamping: architecture),
                                 grantedBy: grantedBy))
        } else {
            update = .release(mac: hardware, address: ip)
        }
        self.grantedBy = grantedBy
    }
}
