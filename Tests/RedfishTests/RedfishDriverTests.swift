import Inventory
import Power
import Testing
@testable import Redfish

/// The driver itself, without a network: these endpoints fail before anything is sent.
@Suite("Redfish driver")
struct RedfishDriverTests {
    func endpoint(tlsCA: String?) -> BMCEndpoint {
        BMCEndpoint(node: "rf1", mac: "52:54:00:00:00:01", address: "192.0.2.1", port: 623, protocol: .redfish,
                    username: "admin", password: Secret("not-logged"), tlsCA: tlsCA)
    }

    @Test("a tls_ca that cannot be read is named before anything is sent; after shutdown() a new client is made")
    func unreadableCA() async {
        let driver = RedfishDriver()
        let failure = PowerFailure("cannot read bmc.tls_ca /nonexistent/ca.pem as PEM certificates")
        await #expect(throws: failure) {
            try await driver.perform(.status, on: endpoint(tlsCA: "/nonexistent/ca.pem"), deadline: .now + .seconds(5))
        }
        await driver.shutdown()
        await #expect(throws: failure) {
            try await driver.perform(.status, on: endpoint(tlsCA: "/nonexistent/ca.pem"), deadline: .now + .seconds(5))
        }
        await driver.shutdown()
    }

    @Test("a driver released without shutdown() does not trap (AsyncHTTPClient asserts on a client released running)")
    func releasedWithoutShutdown() async {
        var driver: RedfishDriver? = RedfishDriver()
        _ = try? await driver?.perform(.status, on: endpoint(tlsCA: "/nonexistent/ca.pem"),
                                       deadline: .now + .seconds(5))
        // The shared client was made (it is made before the endpoint's TLS settings are read), so the release
        // below runs deinit's shutdown of a running client: the path this test is about.
        #expect(driver?.hasClient == true)
        weak var released = driver
        driver = nil
        // Nothing else kept the driver: its deinit ran (a trap there would have ended the test run).
        #expect(released == nil)
    }

    /// A node of `bmc` (a flow mapping) in an inventory of its own, as the power commands resolve it.
    func resolvedEndpoint(_ bmc: String) throws -> BMCEndpoint {
        let text = """
            server:
              interface: br0
              address: 192.0.2.200
            networks:
              provision:
                subnet: 192.0.2.0/24
            nodes:
              rf1:
                mac: 52:54:00:00:00:01
                ip: 192.0.2.11
                bmc: \(bmc)

            """
        let result = InventoryLoader.parse(text: text, file: "nodes.yaml", baseDirectory: "/srv", fileExists: { _ in true })
        let profile = try #require(result.inventory?.profile(named: "rf1"), "\(result.diagnostics)")
        return try PowerTarget(profile).endpoint.get()
    }

    @Test("IPMI's default port 623 means HTTPS's 443 for Redfish; any other port is kept")
    func ports() throws {
        /// The URL the transport sends a GET of the service root to, for a node whose `bmc:` is `bmc`.
        func url(_ bmc: String) throws -> String {
            let endpoint = try resolvedEndpoint(bmc)
            return try HTTPClientTransport.url(address: endpoint.address, port: endpoint.port, .get, "/redfish/v1/")
        }
        let common = "username: admin, password: x"
        // No port: Redfish's default is HTTPS's, not IPMI's 623 (which an IPMI node keeps).
        #expect(try url("{address: 198.51.100.1, protocol: redfish, \(common)}") == "https://198.51.100.1:443/redfish/v1/")
        #expect(try resolvedEndpoint("{address: 198.51.100.1, \(common)}").port == 623)
        // A port nodes.yaml gives is kept, whatever it is (623 included: someone said so).
        #expect(try url("{address: 198.51.100.1, protocol: redfish, port: 8443, \(common)}")
            == "https://198.51.100.1:8443/redfish/v1/")
        #expect(try url("{address: 198.51.100.1, protocol: redfish, port: 623, \(common)}")
            == "https://198.51.100.1:623/redfish/v1/")
        #expect(try url("{address: bmc-rf1.example, protocol: redfish, \(common)}") == "https://bmc-rf1.example:443/redfish/v1/")
        // An IPv6 literal gets its brackets.
        #expect(HTTPClientTransport.baseURL(address: "fd00::1", port: 443) == "https://[fd00::1]:443")
    }
}
