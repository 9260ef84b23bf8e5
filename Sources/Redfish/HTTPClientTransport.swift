import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOSSL
import Power

/// Redfish exchanges over the driver's shared HTTPClient: HTTPS to one BMC with its own trust settings, basic
/// authentication, every request within the node's deadline.
struct HTTPClientTransport: RedfishTransport {
    let client: HTTPClient
    let endpoint: BMCEndpoint
    /// bmc.port: 443 unless nodes.yaml says otherwise (the inventory's default for protocol redfish).
    let port: Int
    let tls: TLSConfiguration
    let deadline: ContinuousClock.Instant

    /// Answers beyond this are not Redfish resources power control needs.
    static let bodyLimit = 8 << 20

    init(client: HTTPClient, endpoint: BMCEndpoint, deadline: ContinuousClock.Instant) throws {
        self.client = client
        self.endpoint = endpoint
        self.port = endpoint.port
        self.deadline = deadline
        self.tls = try Self.tlsConfiguration(endpoint)
    }

    /// The system's trust roots, bmc.tls_ca's certificates instead, or no verification when bmc.insecure says so.
    static func tlsConfiguration(_ endpoint: BMCEndpoint) throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        if endpoint.insecure {
            tls.certificateVerification = .none
        } else if let ca = endpoint.tlsCA {
            // Read now, so a missing or broken file is named instead of failing every handshake obscurely.
            let certificates: [NIOSSLCertificate]
            do {
                certificates = try NIOSSLCertificate.fromPEMFile(ca)
            } catch {
                throw PowerFailure("cannot read bmc.tls_ca \(ca) as PEM certificates")
            }
            guard !certificates.isEmpty else { throw PowerFailure("bmc.tls_ca \(ca) holds no certificate") }
            tls.trustRoots = .certificates(certificates)
        }
        return tls
    }

    private var place: String { RedfishFailureText.place(address: endpoint.address, port: port) }

    /// `https://ADDRESS:PORT`: the BMC's, for every request.
    var baseURL: String { Self.baseURL(address: endpoint.address, port: port) }

    static func baseURL(address: String, port: Int) -> String {
        // An IPv6 literal needs brackets in a URL.
        let host = address.contains(":") ? "[\(address)]" : address
        return "https://\(host):\(port)"
    }

    /// The URL of `path` on the BMC at `address` and `port`. A path that is not one on the BMC itself
    /// (`@other:443/x`, `//other/x`, `http://other/x`) is refused: appended to the base it would name another host,
    /// and the request carries the credentials.
    static func url(address: String, port: Int, _ method: RedfishMethod, _ path: String) throws(PowerFailure)
        -> String {
        baseURL(address: address, port: port) + (try RedfishLink.checked(path, for: method))
    }

    func send(_ method: RedfishMethod, _ path: String, body: Data?) async throws -> RedfishResponse {
        let remaining = ContinuousClock.now.duration(to: deadline)
        guard remaining > .zero else { throw RedfishFailureText.timedOut(place) }
        var request = HTTPClientRequest(url: try Self.url(address: endpoint.address, port: port, method, path))
        request.method = switch method {
        case .get: .GET
        case .post: .POST
        case .patch: .PATCH
        }
        request.tlsConfiguration = tls
        let credentials = Data("\(endpoint.username):\(endpoint.password.revealed)".utf8).base64EncodedString()
        request.headers.add(name: "Authorization", value: "Basic " + credentials)
        request.headers.add(name: "Accept", value: "application/json")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: body))
        }
        let nanoseconds = remaining.components.seconds * 1_000_000_000
            + remaining.components.attoseconds / 1_000_000_000
        do {
            // The node's deadline on the ContinuousClock, as NIO's for the request (connect, TLS, answer).
            let response = try await client.execute(request, deadline: .now() + .nanoseconds(nanoseconds))
            let buffer = try await response.body.collect(upTo: Self.bodyLimit)
            return RedfishResponse(status: Int(response.status.code), body: Data(buffer: buffer))
        } catch {
            throw failure(error)
        }
    }

    /// The exchange's failure as one line.
    func failure(_ error: any Error) -> PowerFailure {
        if let failure = error as? PowerFailure { return failure }
        if let error = error as? HTTPClientError,
           [.deadlineExceeded, .connectTimeout, .readTimeout, .writeTimeout, .cancelled].contains(error) {
            return RedfishFailureText.timedOut(place)
        }
        if error is NIOTooManyBytesError {
            return RedfishFailureText.unreachable(place, reason: "an answer larger than \(Self.bodyLimit >> 20) MiB")
        }
        if let reason = TLSFailure.reason(error) {
            return RedfishFailureText.untrusted(place, reason: reason, tlsCA: endpoint.tlsCA)
        }
        let text = "\(error)"
        // NIOPosix's connection errors are not visible to this module by type; their descriptions carry strerror.
        let errno = (error as? IOError)?.errnoCode
        if errno == ECONNREFUSED || text.contains("Connection refused") || text.contains("connectionRefused") {
            return RedfishFailureText.refused(place)
        }
        if errno == ENETUNREACH || text.contains("Network is unreachable") {
            return RedfishFailureText.unreachable(place, reason: "no route to its network")
        }
        if errno == EHOSTUNREACH || text.contains("No route to host") {
            return RedfishFailureText.unreachable(place, reason: "no route to host")
        }
        if error is NIOSSLError {
            return RedfishFailureText.unreachable(place, reason: "TLS handshake failed (\(error)); is it HTTPS?")
        }
        return RedfishFailureText.unreachable(place, reason: text)
    }
}

/// Certificate failures told apart from other TLS failures.
enum TLSFailure {
    enum Reason: String {
        case verifyFailed = "certificate verify failed"
        case nameMismatch = "it does not name the address connected to"
    }

    /// Why the certificate was refused, or nil when the error is not about the certificate.
    static func reason(_ error: any Error) -> Reason? {
        if let extra = error as? NIOSSLExtraError, extra == .failedToValidateHostname { return .nameMismatch }
        guard let ssl = error as? NIOSSLError, case .handshakeFailed(let underlying) = ssl else { return nil }
        return "\(underlying)".contains("CERTIFICATE_VERIFY_FAILED") ? .verifyFailed : nil
    }
}
