import Inventory
import Testing

/// `server.leases.tls` (issue 26): over TCP, `check` warns for every mode that does not verify the server; a Unix
/// socket needs no TLS and gets no warning.
@Suite struct LeaseStoreTLSTests {
    static func warnings(url: String, tls: String? = nil) -> [String] {
        let result = LeaseStoreKeysTests.inventory("""
                backend: postgresql
                url: \(url)
            \(tls.map { "    tls: \($0)\n" } ?? "")
            """)
        return result.diagnostics.map(\.description).filter { $0.contains("warning: server.leases") }
    }

    @Test(arguments: ["require", "prefer"])
    func modesThatDoNotVerifyTheServerAreWarnedAboutOverTCP(mode: String) {
        let lines = Self.warnings(url: "postgresql://netroot@db.example/netroot", tls: mode)
        #expect(lines.count == 1, "\(lines)")
        #expect(lines.first?.hasPrefix("nodes.yaml:6:5: warning: server.leases: tls \(mode) ") == true, "\(lines)")
        #expect(lines.first?.contains("does not verify the server's certificate") == true, "\(lines)")
    }

    @Test func disableOverTCPIsWarnedAbout() {
        let lines = Self.warnings(url: "postgresql://netroot@10.0.0.5:5432/netroot", tls: "disable")
        #expect(lines.count == 1, "\(lines)")
        #expect(lines.first?.contains("tls disable sends the password and every lease over the network in clear text")
                    == true, "\(lines)")
    }

    @Test func sslmodeInTheURLIsWarnedAboutAtTheURL() {
        let lines = Self.warnings(url: "postgresql://netroot@db.example/netroot?sslmode=require")
        #expect(lines.count == 1 && lines[0].hasPrefix("nodes.yaml:5:5: warning: server.leases: tls require "),
                "\(lines)")
    }

    @Test func verifyFullAndTheDefaultOverTCPAreQuiet() {
        #expect(Self.warnings(url: "postgresql://netroot@db.example/netroot", tls: "verify-full").isEmpty)
        #expect(Self.warnings(url: "postgresql://netroot@db.example/netroot").isEmpty)
    }

    @Test func aUnixSocketNeedsNoTLSAndGetsNoWarning() {
        #expect(Self.warnings(url: "postgresql://netroot@/netroot?host=/run/postgresql").isEmpty)
        #expect(Self.warnings(url: "postgresql://netroot@/netroot?host=/run/postgresql", tls: "disable").isEmpty)
    }
}
