import Inventory
import Testing

@Suite("Inventory: server.http_token_file")
struct HTTPTokenFileTests {
    private func load(_ lines: String, existing: Set<String> = ["/etc/netroot/token"]) -> InventoryLoadResult {
        InventoryLoader.parse(text: "server:\n  interface: br0\n  tftp_root: /\n\(lines)", file: "nodes.yaml",
                              baseDirectory: "/etc/netroot", fileExists: { $0 == "/" || existing.contains($0) })
    }

    private func errors(_ result: InventoryLoadResult) -> [String] {
        result.diagnostics.filter { $0.severity == .error }.map(\.description)
    }

    @Test("loopback needs no token; a token file is read relative to nodes.yaml")
    func loopback() {
        #expect(load("  http: 127.0.0.1:9100\n").inventory?.server.httpTokenFile == nil)
        #expect(load("  http: 127.0.0.1:9100\n  http_token_file: token\n").inventory?.server.httpTokenFile
                == "/etc/netroot/token")
    }

    @Test("any other address requires http_token_file, and the file must exist")
    func required() {
        #expect(errors(load("  http: 10.0.0.1:9100\n"))
                == ["nodes.yaml:4:9: server: http listens on 10.0.0.1, not loopback: set http_token_file to a file "
                    + "holding the bearer token every request must carry"])
        #expect(load("  http: 0.0.0.0:9100\n  http_token_file: /etc/netroot/token\n").inventory != nil)
        #expect(errors(load("  http: 0.0.0.0:9100\n  http_token_file: missing\n"))
                == ["nodes.yaml:5:20: server: http_token_file /etc/netroot/missing does not exist"])
    }
}
