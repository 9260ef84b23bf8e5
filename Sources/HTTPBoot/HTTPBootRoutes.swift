import BootTimeline
import FileRoot
import Foundation
import HTTPService
import Inventory
import Logging
import NIOCore
import NIOHTTP1
import Snapshot
import Support
import Values

/// What the HTTP boot service answers: a node's iPXE script, or a file opened beneath the root when its response
/// starts; every response is recorded in the client's timeline once it has ended.
struct HTTPBootRoutes: Sendable {
    let root: EscapeProofRoot
    let snapshots: SnapshotPublisher
    let timeline: BootTimeline
    let counters: HTTPBootCounters
    let baseURL: String
    let logger: Logger
    /// A line per response, as TFTP has per transfer; per client at most 20 per 10 s, then a count.
    let lines = LogThrottle<String>(.init(limit: 20, interval: .seconds(10), capacity: 4_096))

    func respond(to request: HTTPServiceRequest) -> HTTPServiceResponse {
        let record = recorder(client: request.clientAddress)
        let head = request.head
        guard head.method == .GET || head.method == .HEAD else {
            return .text(.methodNotAllowed, "GET and HEAD only\n", headers: [("Allow", "GET, HEAD")],
                         finished: record(request.path))
        }
        guard let path = BootRequestRouter.percentDecoded(Substring(request.path)) else {
            return .text(.badRequest, "bad path\n", finished: record(request.path))
        }
        let inventory = snapshots.current.inventory
        switch BootRequestRouter.resource(for: path, inventory: inventory, baseURL: baseURL) {
        case .notFound(let reason):
            return .text(.notFound, "not found: \(reason)\n", finished: record(path))
        case .script(_, let text), .generated(let text):
            return .text(.ok, text, finished: record(path))
        case .file(let name):
            switch root.openFile(name) {
            case .failure(.outOfDescriptors):
                return .outOfDescriptors(finished: record(path))
            case .failure(.notFound):
                return .text(.notFound, "file not found\n", finished: record(path))
            case .failure(.refused):
                return .text(.forbidden, "access violation\n", finished: record(path))
            case .success(let file):
                return HTTPServiceResponse(status: .ok, headers: [("Content-Type", "application/octet-stream")],
                                           body: .file(descriptor: file.descriptor, size: file.size),
                                           finished: record(path))
            }
        }
    }

    /// The outcome of a response as a timeline step, once it has ended: file, status, size, duration, throughput.
    private func recorder(client: String?) -> (String) -> @Sendable (HTTPServiceOutcome) -> Void {
        { [counters, snapshots, timeline, lines, logger] step in
            { outcome in
                counters.responded(status: Int(outcome.status.code), bytes: outcome.completed ? outcome.bytes : 0)
                guard let client else { return }
                let event = Self.event(step: step, outcome: outcome)
                let node = IPv4Address(client).flatMap { snapshots.current.inventory.profile(ip: $0)?.name }
                timeline.record(event, from: client, node: node)
                if logger.logLevel <= .info, let file = event.file {
                    lines.flush(to: logger)
                    lines.log(.info, "HTTP \(file.path) to \(node ?? client): \(BootEventText.status(file))",
                              key: client, to: logger)
                }
            }
        }
    }

    static func event(step: String, outcome: HTTPServiceOutcome) -> BootEvent {
        // Named as TFTP names files (relative to the root), so the timeline and the doctor read both alike; the
        // client chose the path (percent-decoded: any byte), so it enters escaped and capped.
        let name = UntrustedText.escape(String(step.drop { $0 == "/" }), limit: 200)
        return BootEvent(time: Date().timeIntervalSince1970, .file(.init(
            path: name, via: .http, bytes: outcome.bytes,
            duration: Double(outcome.duration.nanoseconds) / 1e9,
            status: .http(code: Int(outcome.status.code), complete: outcome.completed), range: outcome.range)))
    }
}
