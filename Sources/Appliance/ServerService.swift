import ServiceLifecycle

/// A server that is already listening, as a lifecycle service: it runs until graceful shutdown, then stops.
///
/// Servers are started before the service group runs, one after another, so a port that cannot be bound is
/// reported plainly and nothing half-starts; the group then owns shutdown, in reverse order of the list.
struct ServerService: Service, CustomStringConvertible {
    let description: String
    let stop: @Sendable () async -> Void

    func run() async throws {
        // Returns on graceful shutdown (SIGTERM/SIGINT) or throws on cancellation; either way, stop cleanly.
        try? await gracefulShutdown()
        await stop()
    }
}
