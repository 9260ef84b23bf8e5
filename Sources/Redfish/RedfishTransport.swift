import Foundation

/// The HTTP methods Redfish power control uses.
enum RedfishMethod: String, Sendable {
    case get = "GET", post = "POST", patch = "PATCH"
}

/// A status and body as the service sent them.
struct RedfishResponse: Sendable {
    var status: Int
    var body: Data
}

/// One HTTP exchange with one Redfish service; the operations need nothing else of the network, so tests give them
/// a transport that answers from captured payloads. Failures of the exchange itself (refused, timed out, an
/// untrusted certificate) are thrown as PowerFailure lines; HTTP error statuses are returned.
protocol RedfishTransport: Sendable {
    func send(_ method: RedfishMethod, _ path: String, body: Data?) async throws -> RedfishResponse
}
