import Inventory
import Testing

/// `server.leases`: the journal by default, PostgreSQL with its URL, password file and sharing settings.
@Suite struct LeaseStoreKeysTests {
    static func inventory(_ leases: String, files: Set<String> = ["/srv/db-password"]) -> InventoryLoadResult {
        let yaml = "server:\n  interface: br0\n  leases:\n\(leases)networks:\n  lan: {subnet: 10.0.0.0/24}\n"
        return InventoryLoader.parse(text: yaml, file: "nodes.yaml", baseDirectory: "/srv",
                                     fileExists: { files.contains($0) })
    }

    @Test func absentMeansTheJournal() throws {
        let yaml = "server:\n  interface: br0\nnetworks:\n  lan: {subnet: 10.0.0.0/24}\n"
        let result = InventoryLoader.parse(text: yaml, file: "nodes.yaml", baseDirectory: "/srv", fileExists: { _ in true })
        #expect(try #require(result.inventory).server.leases == .journal)
    }

    @Test func postgresqlWithEverySetting() throws {
        let result = Self.inventory("""
                backend: postgresql
                url: postgresql://netroot@db.example:5433/leases
                password_file: db-password
                tls: verify-full
                tls_ca_file: /srv/db-password
                name: rack1-a
                heartbeat_timeout: 4s
                load_balance_max_seconds: 5

            """)
        let leases = try #require(result.inventory, "\(result.diagnostics)").server.leases
        #expect(leases.backend == .postgresql)
        #expect(leases.url?.endpoint == .tcp(host: "db.example", port: 5433))
        #expect(leases.url?.user == "netroot")
        #expect(leases.url?.database == "leases")
        #expect(leases.passwordFile == "/srv/db-password", "relative to the inventory's directory")
        #expect(leases.tls == .verifyFull)
        #expect(leases.name == "rack1-a")
        #expect(leases.heartbeatTimeout == 4)
        #expect(leases.loadBalanceMaximumSeconds == 5)
    }

    @Test func badValuesAreRefusedWithTheirPlace() {
        let result = Self.inventory("""
                backend: postgresql
                url: postgresql://net root@/x y
                password_file: /nowhere
                heartbeat_timeout: 1s

            """)
        #expect(result.inventory == nil)
        let lines = result.diagnostics.map(\.description)
        #expect(lines.contains { $0.hasPrefix("nodes.yaml:5:10: server.leases: invalid url") && $0.contains("space") },
                "\(lines)")
        #expect(lines.contains { $0.hasPrefix("nodes.yaml:6:20: server.leases: password_file /nowhere does not exist") },
                "\(lines)")
        #expect(lines.contains { $0.hasPrefix("nodes.yaml:7:24:") && $0.contains("heartbeat_timeout") }, "\(lines)")
    }

    @Test func anUnknownBackendGetsASuggestion() {
        let result = Self.inventory("    backend: postgres-sql\n")
        #expect(result.inventory == nil)
        #expect(result.diagnostics.map(\.description).contains { $0.contains("journal or postgresql") })
    }

    @Test func postgresqlNeedsAURL() {
        let result = Self.inventory("    backend: postgresql\n")
        #expect(result.diagnostics.map(\.description).contains { $0.contains("missing required key 'url'") })
    }

    @Test func aPasswordInTheURLIsAWarning() throws {
        let result = Self.inventory("    backend: postgresql\n    url: postgres://netroot:secret@10.0.0.5/netroot\n")
        #expect(try #require(result.inventory).server.leases.url?.password == "secret")
        #expect(result.diagnostics.map(\.description).contains { $0.contains("password_file keeps it out") })
    }
}

/// The libpq-style URLs administrators already write.
@Suite struct DatabaseURLTests {
    func parsed(_ text: String) throws -> DatabaseURL { try DatabaseURL.parse(text).get() }

    @Test func tcpWithAndWithoutPort() throws {
        #expect(try parsed("postgresql://netroot@db/netroot").endpoint == .tcp(host: "db", port: 5432))
        #expect(try parsed("postgres://u@10.0.0.5:6432/leases").endpoint == .tcp(host: "10.0.0.5", port: 6432))
        #expect(try parsed("postgresql://u@[fd00::5]:5433/d").endpoint == .tcp(host: "fd00::5", port: 5433))
    }

    @Test func unixSockets() throws {
        let query = try parsed("postgresql://netroot@/netroot?host=/tmp/pg")
        #expect(query.endpoint == .unixSocket(directory: "/tmp/pg", port: 5432))
        #expect(query.socketPath == "/tmp/pg/.s.PGSQL.5432")
        let encoded = try parsed("postgresql://netroot@%2Fvar%2Frun%2Fpostgresql:5433/netroot")
        #expect(encoded.socketPath == "/var/run/postgresql/.s.PGSQL.5433")
        #expect(try parsed("postgresql://netroot@/netroot").socketPath == "/var/run/postgresql/.s.PGSQL.5432")
    }

    @Test func passwordsAreDecodedAndNeverShown() throws {
        let url = try parsed("postgresql://netroot:p%40ss@db/netroot?sslmode=require")
        #expect(url.password == "p@ss")
        #expect(url.sslMode == .require)
        #expect(!url.description.contains("p@ss") && !url.description.contains("p%40ss"))
    }

    @Test(arguments: [
        ("mysql://u@h/d", "scheme"), ("postgresql://u@h", "no database"), ("postgresql://@h/d", "no user"),
        ("postgresql://u@h:99999/d", "port"), ("postgresql://u@h/d?color=red", "parameter 'color'"),
        ("postgresql://u@h/d%zz", "no database"), ("db.example/netroot", "postgresql://"),
    ])
    func mistakesAreNamed(text: String, why: String) {
        guard case .failure(let error) = DatabaseURL.parse(text) else {
            Issue.record("\(text) parsed")
            return
        }
        #expect(error.description.contains(why), "\(error)")
    }
}
