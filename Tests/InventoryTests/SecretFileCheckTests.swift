import Foundation
import Inventory
import Testing

/// `netroot check` on the secret files nodes.yaml names: each readable by group or others is a warning at its key
/// (the file is still valid: exit 0), the way `bmc.password_file` always was.
@Suite("Inventory: secret files others can read")
struct SecretFileCheckTests {
    static let yaml = """
        server:
          interface: br0
          tftp_root: /
          http: 0.0.0.0:9100
          http_token_file: token
          leases:
            backend: postgresql
            url: postgresql://netroot@db1/netroot
            password_file: db-password

        """

    static func result(modes: [String: UInt32], environment: [String: String] = [:],
                       exists: @escaping (String) -> Bool = { _ in true }) -> InventoryLoadResult {
        InventoryLoader.parse(text: yaml, file: "nodes.yaml", baseDirectory: "/etc/netroot", fileExists: exists,
                              fileMode: { modes[$0] }, environment: environment)
    }

    @Test("a 0644 token file and a 0604 database password file are warned about, naming file and key")
    func readableByOthers() throws {
        let result = Self.result(modes: ["/etc/netroot/token": 0o644, "/etc/netroot/db-password": 0o100604])
        #expect(result.inventory != nil, "warnings only: check exits 0")
        #expect(result.diagnostics.warnings.map(\.description) == [
            "nodes.yaml:5:20: warning: server: http_token_file /etc/netroot/token is readable by group and others "
                + "(mode 0644); chmod 600 it",
            "nodes.yaml:9:20: warning: server.leases: password_file /etc/netroot/db-password is readable by others "
                + "(mode 0604); chmod 600 it",
        ])
        #expect(result.diagnostics.errors.isEmpty)
    }

    @Test("0600 and 0400 are not warned about; group-readable is")
    func ownerOnly() {
        #expect(Self.result(modes: ["/etc/netroot/token": 0o600, "/etc/netroot/db-password": 0o400])
            .diagnostics.warnings.isEmpty)
        #expect(Self.result(modes: ["/etc/netroot/token": 0o640, "/etc/netroot/db-password": 0o600])
            .diagnostics.warnings.map(\.message)
                == ["http_token_file /etc/netroot/token is readable by group (mode 0640); chmod 600 it"])
    }

    @Test("under systemd, a file's credential stands in for it: a path the service cannot see is not missing")
    func credentialStandsIn() throws {
        let credentials = FileManager.default.temporaryDirectory.appendingPathComponent("credentials-\(UUID())").path
        try FileManager.default.createDirectory(atPath: credentials, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: credentials) }
        for name in ["token", "db-password"] {
            #expect(FileManager.default.createFile(atPath: credentials + "/" + name, contents: Data("s\n".utf8),
                                                   attributes: [.posixPermissions: 0o400]))
        }
        // The configured paths do not exist for this process (a 0700 directory, say); the credentials do.
        let exists: (String) -> Bool = { $0 == "/" || $0.hasPrefix(credentials + "/") }
        let modes = [credentials + "/token": UInt32(0o400), credentials + "/db-password": 0o400,
                     "/etc/netroot/token": 0o644]
        let result = Self.result(modes: modes, environment: ["CREDENTIALS_DIRECTORY": credentials], exists: exists)
        #expect(result.inventory != nil, "\(result.diagnostics)")
        #expect(result.diagnostics.warnings.isEmpty, "the credential is read, and it is 0400")
        // Without the credentials the same paths are missing: errors.
        #expect(Self.result(modes: modes, exists: exists).diagnostics.errors.map(\.message) == [
            "http_token_file /etc/netroot/token does not exist",
            "password_file /etc/netroot/db-password does not exist",
        ])
    }
}
