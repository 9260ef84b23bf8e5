import AsyncHTTPClient
import Power
import Synchronization

/// Redfish over HTTPS (DMTF DSP0266): ComputerSystem.Reset, the Boot override, power state, and sensors and
/// inventory from the Chassis and System resources. One HTTPClient serves every node (its connection pool keys
/// connections by host and TLS settings), made on first use; call `shutdown()` when done.
public final class RedfishDriver: BMCDriver, Sendable {
    private let client = Mutex<HTTPClient?>(nil)

    public init() {}

    public func perform(_ operation: PowerOperation, on endpoint: BMCEndpoint,
                        deadline: ContinuousClock.Instant) async throws -> PowerReport {
        let transport = try HTTPClientTransport(client: sharedClient(), endpoint: endpoint, deadline: deadline)
        return try await RedfishOperations(transport: transport, username: endpoint.username,
                                           configuredSystem: endpoint.system).perform(operation)
    }

    /// Closes the shared client's connections; the driver makes a new client if used again.
    public func shutdown() async {
        guard let shared = takeClient() else { return }
        try? await shared.shutdown()
    }

    /// Starts closing the shared client's connections without waiting: for a command about to exit, which must
    /// not wait on a BMC that stopped answering mid-handshake (a graceful shutdown can wait ~30 s on it).
    public func shutdownInBackground() {
        guard let shared = takeClient() else { return }
        shared.shutdown().whenComplete { _ in _ = shared }
    }

    /// A driver dropped without `shutdown()` still shuts its client down (AsyncHTTPClient traps on a client that
    /// is released running); the future keeps the client alive until its connections are closed.
    deinit {
        guard let shared = takeClient() else { return }
        shared.shutdown().whenComplete { _ in _ = shared }
    }

    /// Whether the shared client has been made (and not shut down since).
    var hasClient: Bool { client.withLock { $0 != nil } }

    private func takeClient() -> HTTPClient? {
        client.withLock { client in
            defer { client = nil }
            return client
        }
    }

    private func sharedClient() -> HTTPClient {
        client.withLock { client in
            if let client { return client }
            var configuration = HTTPClient.Configuration()
            // Credentials go in every request's header: a redirect must not carry them to another host.
            configuration.redirectConfiguration = .disallow
            // A refused connection or an untrusted certificate is the answer, not something to retry until the
            // deadline.
            configuration.connectionPool.retryConnectionEstablishment = false
            configuration.decompression = .disabled
            let made = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            client = made
            return made
        }
    }

}
