import Inventory
import Testing

/// `server.leases.tls` absent (issue 26): verify-full for a database over TCP, nothing on a Unix socket.
@Suite struct LeaseStoreTLSDefaultTests {
    static func settings(_ url: String, tls: String? = nil) throws -> LeaseStoreSettings {
        let result = LeaseStoreKeysTests.inventory("""
                backend: postgresql
                url: \(url)
            \(tls.map { "    tls: \($0)\n" } ?? "")
            """)
        return try #require(result.inventory, "\(result.diagnostics)").server.leases
    }

    @Test func tcpDefaultsToVerifyFull() throws {
        let settings = try Self.settings("postgresql://netroot@db.example/netroot")
        #expect(settings.tls == nil)
        #expect(settings.effectiveTLS == .verifyFull)
        #expect(try Self.settings("postgresql://netroot@[fd00::5]:5433/netroot").effectiveTLS == .verifyFull)
    }

    @Test func aUnixSocketDefaultsToNone() throws {
        #expect(try Self.settings("postgresql://netroot@/netroot?host=/run/postgresql").effectiveTLS == .disable)
        #expect(try Self.settings("postgresql://netroot@/netroot").effectiveTLS == .disable)
    }

    @Test func anExplicitModeOrSSLModeWins() throws {
        #expect(try Self.settings("postgresql://netroot@db.example/netroot", tls: "require").effectiveTLS == .require)
        #expect(try Self.settings("postgresql://netroot@db.example/netroot?sslmode=disable").effectiveTLS == .disable)
    }
}
