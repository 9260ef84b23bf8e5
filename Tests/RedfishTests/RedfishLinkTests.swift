import AsyncHTTPClient
import Foundation
import Inventory
import Power
import Synchronization
import Testing
@testable import Redfish

/// sushy's captured payloads with one link replaced, answered by path; every request recorded.
final class HostileLinkTransport: RedfishTransport, Sendable {
    let bodies: [String: String]
    let sent = Mutex<[String]>([])

    init(_ bodies: [String: String]) { self.bodies = bodies }

    var requests: [String] { sent.withLock { $0 } }

    func send(_ method: RedfishMethod, _ path: String, body: Data?) async throws -> RedfishResponse {
        sent.withLock { $0.append("\(method.rawValue) \(path)") }
        guard method == .get else { return RedfishResponse(status: 204, body: Data()) }
        guard let text = bodies[path] else { return RedfishResponse(status: 404, body: Data()) }
        return RedfishResponse(status: 200, body: Data(text.utf8))
    }
}

/// A BMC's links (`@odata.id`, an action's `target`) that name a host of their own are refused before anything
/// is sent: the request would carry the node's Basic credentials to that host.
@Suite("Redfish: links to other hosts")
struct RedfishLinkTests {
    static let hostile = ["@evil.example:443/redfish/v1/Systems/1", "//evil.example/redfish/v1/Systems/1",
                          "http://evil.example/redfish/v1/Systems/1", "https://evil.example:8443/x",
                          "/\\evil.example/x", "redfish/v1/Systems/1", ""]

    /// sushy's fixture `name` with `original` replaced by `replacement`.
    static func payload(_ name: String, replacing original: String, with replacement: String) -> String {
        let text = String(decoding: fixture(name), as: UTF8.self)
        precondition(text.contains(original), "\(name) has no \(original)")
        return text.replacingOccurrences(of: original, with: replacement)
    }

    static func expectedFailure(_ method: String, _ link: String) -> String {
        "refused to send \(method) to the BMC's link \"\(link)\": it is not a path on the BMC (netroot follows only "
            + "paths that start with a single / and name no host; the credentials go to bmc.address alone)"
    }

    func failure(_ operation: PowerOperation, on transport: HostileLinkTransport) async -> String? {
        do {
            _ = try await RedfishOperations(transport: transport, username: "admin", configuredSystem: nil,
                                            now: { 1000 }).perform(operation)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test("only a path that starts with a single / and names no host is a path on the BMC")
    func rule() {
        for link in Self.hostile { #expect(!RedfishLink.isPathOnBMC(link), "\(link)") }
        for link in ["/redfish/v1/", "/redfish/v1/Systems/1", "/redfish/v1/Systems/1/Actions/ComputerSystem.Reset",
                     "/redfish/v1/Chassis/1U/Sensors?$expand=.", "/"] {
            #expect(RedfishLink.isPathOnBMC(link), "\(link)")
        }
        #expect(!RedfishLink.isPathOnBMC("/redfish/v1/Systems/1 HTTP/1.1\r\nHost: evil.example"))
    }

    @Test("a system collection member @other-host:port/... is refused: nothing is sent to it")
    func systemMember() async {
        let link = "@evil.example:443/redfish/v1/Systems/1"
        let bmc = HostileLinkTransport(["/redfish/v1/Systems": Self.payload(
            "sushy-systems.json", replacing: "\"/redfish/v1/Systems/27946b59-9e44-4fa7-8e91-f3527a1ef094\"",
            with: "\"\(link)\"")])
        #expect(await failure(.status, on: bmc) == Self.expectedFailure("GET", link))
        #expect(bmc.requests == ["GET /redfish/v1/Systems"])
    }

    @Test("a reset target //other-host/... or http://other/... is refused: no POST leaves", arguments: [
        "//evil.example/redfish/v1/Systems/1/Actions/ComputerSystem.Reset",
        "http://evil.example/reset", "@evil.example:8443/reset",
    ])
    func resetTarget(_ link: String) async {
        let bmc = HostileLinkTransport([
            Sushy.system: Self.payload("sushy-system-off.json", replacing: "\"\(Sushy.reset)\"", with: "\"\(link)\""),
            "/redfish/v1/Systems": String(decoding: fixture("sushy-systems.json"), as: UTF8.self),
        ])
        #expect(await failure(.on, on: bmc) == Self.expectedFailure("POST", link))
        #expect(bmc.requests == ["GET /redfish/v1/Systems", "GET \(Sushy.system)"])
    }

    @Test("a chassis link to another host ends sensors with the failure; nothing is read from it")
    func chassisLink() async {
        let link = "@evil.example:443/redfish/v1/Chassis/1"
        let bmc = HostileLinkTransport([
            "/redfish/v1/Systems": String(decoding: fixture("sushy-systems.json"), as: UTF8.self),
            Sushy.system: Self.payload("sushy-system-on.json", replacing: "\"\(Sushy.chassis)\"", with: "\"\(link)\""),
        ])
        #expect(await failure(.sensors, on: bmc) == Self.expectedFailure("GET", link))
        #expect(!bmc.requests.contains { $0.contains("evil") })
    }

    @Test("the transport's URL is always the BMC's host and port; a path naming another host is refused")
    func transportURL() async throws {
        #expect(try HTTPClientTransport.url(address: "192.0.2.1", port: 443, .get, "/redfish/v1/Systems")
            == "https://192.0.2.1:443/redfish/v1/Systems")
        for link in Self.hostile {
            #expect(throws: RedfishLink.refusal(link, method: .get)) {
                try HTTPClientTransport.url(address: "192.0.2.1", port: 443, .get, link)
            }
        }
        // Sending refuses it too, before any connection is made (192.0.2.1 is TEST-NET: nothing would answer).
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let endpoint = BMCEndpoint(node: "rf1", mac: "52:54:00:00:00:01", address: "192.0.2.1", port: 443,
                                   protocol: .redfish, username: "admin", password: Secret("not-logged"))
        let transport = try? HTTPClientTransport(client: client, endpoint: endpoint, deadline: .now + .seconds(5))
        #expect(transport != nil)
        if let transport {
            for link in Self.hostile {
                await #expect(throws: RedfishLink.refusal(link, method: .post)) {
                    _ = try await transport.send(.post, link, body: Data())
                }
            }
        }
        try await client.shutdown()
    }
}
