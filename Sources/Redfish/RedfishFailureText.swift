import Foundation
import Power

/// One line for each way a Redfish exchange fails (pure): what happened, in the operator's terms, with the
/// nodes.yaml key to change where one would help. Never the password.
enum RedfishFailureText {
    /// An HTTP status of 400 or more, for `what` (`GET /redfish/v1/Systems/1`).
    static func http(status: Int, body: Data, what: String, username: String) -> PowerFailure {
        switch status {
        case 401:
            return PowerFailure("wrong username or password (user \"\(username)\")")
        case 403:
            return PowerFailure("user \"\(username)\" may not \(what) (HTTP 403\(detail(body)))")
        case 404:
            let path = what.split(separator: " ").last.map(String.init) ?? what
            // A system path that does not exist is most likely a wrong bmc.system.
            let hint = path.hasPrefix("/redfish/v1/Systems/") ? "; check bmc.system" : ""
            return PowerFailure("the BMC has no \(path) (HTTP 404)\(hint)")
        default:
            return PowerFailure("the BMC refused \(what): HTTP \(status)\(detail(body))")
        }
    }

    /// `: message` from a Redfish error body, the extended info's first message when more precise.
    static func detail(_ body: Data) -> String {
        guard let error = (try? JSONDecoder().decode(ErrorBody.self, from: body))?.error else { return "" }
        let message = error.extendedInfo?.compactMap(\.message).first ?? error.message
        guard let message, !message.isEmpty else { return "" }
        return ": " + message.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    /// An answer that is not the JSON resource expected.
    static func unreadable(_ what: String, as kind: String) -> PowerFailure {
        PowerFailure("the BMC's answer to \(what) is not a Redfish \(kind)")
    }

    static func refused(_ place: String) -> PowerFailure {
        PowerFailure("connection refused by \(place) (no Redfish service there? check bmc.address and bmc.port)")
    }

    static func timedOut(_ place: String) -> PowerFailure {
        PowerFailure("no answer from \(place) within the time limit")
    }

    static func untrusted(_ place: String, reason: TLSFailure.Reason, tlsCA: String?) -> PowerFailure {
        let fix = switch (reason, tlsCA) {
        case (.nameMismatch, _):
            "its certificate must name the address given as bmc.address, or set bmc.insecure: true to skip the check"
        case (.verifyFailed, let ca?):
            "it is not signed by bmc.tls_ca \(ca)"
        case (.verifyFailed, nil):
            "give the CA that signed it as bmc.tls_ca, or set bmc.insecure: true to skip the check"
        }
        return PowerFailure("the certificate of \(place) is not trusted (\(reason.rawValue)); \(fix)")
    }

    static func unreachable(_ place: String, reason: String) -> PowerFailure {
        PowerFailure("cannot reach \(place): \(reason)")
    }

    /// `10.1.1.1 port 443`, the way the IPMI driver names a BMC.
    static func place(address: String, port: Int) -> String {
        "the BMC at \(address) port \(port)"
    }
}
