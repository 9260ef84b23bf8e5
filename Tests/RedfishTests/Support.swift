import Foundation
import Synchronization
@testable import Redfish

/// A fixture's bytes (Fixtures/NAME).
func fixture(_ name: String) -> Data {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)")
    guard let data = FileManager.default.contents(atPath: url.path) else { fatalError("no fixture \(name)") }
    return data
}

func decode<Resource: Decodable>(_ type: Resource.Type, _ name: String) throws -> Resource {
    try JSONDecoder().decode(type, from: fixture(name))
}

/// A Redfish service made of fixtures: GETs answered by path, POST and PATCH answered 204 (or as scripted), every
/// request recorded with its body.
final class FixtureTransport: RedfishTransport, Sendable {
    struct Sent: Equatable, CustomStringConvertible {
        var method: String
        var path: String
        var body: String?
        var description: String { "\(method) \(path)" + (body.map { " " + $0 } ?? "") }
    }

    let resources: [String: (Int, String)]
    let sent = Mutex<[Sent]>([])

    /// `resources`: path → fixture name (status 200), or path → (status, fixture name) for errors and writes.
    init(_ resources: [String: (Int, String)]) {
        self.resources = resources
    }

    convenience init(get: [String: String], other: [String: (Int, String)] = [:]) {
        self.init(get.mapValues { (200, $0) }.merging(other) { $1 })
    }

    var requests: [Sent] { sent.withLock { $0 } }

    func send(_ method: RedfishMethod, _ path: String, body: Data?) async throws -> RedfishResponse {
        let text = body.map { String(decoding: $0, as: UTF8.self) }
        sent.withLock { $0.append(Sent(method: method.rawValue, path: path, body: text)) }
        if method != .get {
            guard let (status, name) = resources["\(method.rawValue) \(path)"] else {
                return RedfishResponse(status: 204, body: Data())
            }
            return RedfishResponse(status: status, body: name.isEmpty ? Data() : fixture(name))
        }
        guard let (status, name) = resources[path] else {
            return RedfishResponse(status: 404, body: Data(#"{"error":{"message":"not found"}}"#.utf8))
        }
        return RedfishResponse(status: status, body: fixture(name))
    }
}

/// sushy-emulator --fake's one system and one chassis.
enum Sushy {
    static let system = "/redfish/v1/Systems/27946b59-9e44-4fa7-8e91-f3527a1ef094"
    static let chassis = "/redfish/v1/Chassis/15693887-7984-9484-3272-842188918912"
    static let reset = system + "/Actions/ComputerSystem.Reset"

    static func service(powered on: Bool) -> FixtureTransport {
        FixtureTransport(get: [
            "/redfish/v1/Systems": "sushy-systems.json",
            system: on ? "sushy-system-on.json" : "sushy-system-off.json",
            "/redfish/v1/Chassis": "sushy-chassis-collection.json",
            chassis: "sushy-chassis.json",
            chassis + "/Thermal": "sushy-thermal.json",
        ])
    }
}
