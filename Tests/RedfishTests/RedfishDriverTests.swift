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
        driver = nil
        #expect(driver == nil)
    }

    @Test("IPMI's default port 623 means HTTPS's 443 for Redfish; any other port is kept")
    func ports() {
    }
}
