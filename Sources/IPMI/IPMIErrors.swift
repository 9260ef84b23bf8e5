/// Why bytes from the network were refused. Every decoder in this module throws this instead of trapping.
public struct IPMIDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// Why a session with a BMC ended without doing what was asked: one line an operator can act on.
public enum SessionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No valid answer to `stage` after every try.
    case timeout(stage: String, attempts: Int)
    /// The BMC's key-exchange code did not match the password, or it does not know the user name.
    case wrongCredentials(username: String)
    /// The BMC answered an RMCP+ step with a status code other than "no errors".
    case rejected(stage: String, status: UInt8)
    /// The BMC does not speak IPMI 2.0 / RMCP+ on this channel.
    case noRMCPPlus
    /// The BMC accepted the Open Session Request but chose other algorithms (authentication, integrity,
    /// confidentiality) than those of the requested suite, as pyghmi does for anything but suite 3.
    case suiteNotOffered(requested: UInt8, chosen: [UInt8])
    /// A command came back with a completion code that is not "normal".
    case completion(stage: String, code: UInt8)
    /// The BMC broke the protocol in a way that is not a credentials problem (a wrong RAKP 4 code, say).
    case protocolViolation(String)
    /// The caller asked for something the session cannot do in its state (a command before it is active).
    case notReady(String)

    public var description: String {
        switch self {
        case .timeout(let stage, let attempts):
            // Silence right after a successful Open Session is how some BMCs refuse a user name.
            let hint = stage == "RAKP 1"
                ? " (some BMCs, pyghmi's among them, ignore a user name they do not know: check the user name)" : ""
            return "no answer from the BMC to \(stage) after \(attempts) tries\(hint)"
        case .wrongCredentials(let username):
            return "wrong username or password (user \"\(username)\")"
        case .rejected(let stage, let status):
            return "the BMC refused \(stage): \(RMCPPlusStatus.name(status)) (0x\(hex(status)))"
        case .noRMCPPlus:
            return "the BMC does not support IPMI 2.0 (RMCP+) on this channel"
        case .suiteNotOffered(let requested, let chosen):
            let offered = chosen.count == 3
                ? CipherSuite.allCases.first { [$0.authenticationAlgorithm, $0.integrityAlgorithm,
                                                $0.confidentialityAlgorithm] == chosen } : nil
            if let offered {
                return "the BMC does not offer cipher suite \(requested): it chose the algorithms of cipher suite "
                    + "\(offered.rawValue); use suite \(offered.rawValue)"
            }
            return "the BMC does not offer cipher suite \(requested): it chose authentication, integrity and "
                + "confidentiality algorithms \(chosen.map(String.init).joined(separator: ", "))"
        case .completion(let stage, let code):
            return "\(stage) failed: \(CompletionCode.name(code)) (0x\(hex(code)))"
        case .protocolViolation(let what):
            return "the BMC broke the protocol: \(what)"
        case .notReady(let what):
            return what
        }
    }
}

/// RMCP+ status codes (IPMI 2.0 table 13-15), named for error lines.
public enum RMCPPlusStatus {
    public static func name(_ code: UInt8) -> String {
        switch code {
        case 0x00: "no errors"
        case 0x01: "insufficient resources to create a session"
        case 0x02: "invalid session ID"
        case 0x03: "invalid payload type"
        case 0x04: "invalid authentication algorithm"
        case 0x05: "invalid integrity algorithm"
        case 0x06: "no matching authentication payload"
        case 0x07: "no matching integrity payload"
        case 0x08: "inactive session ID"
        case 0x09: "invalid role"
        case 0x0A: "unauthorized role or privilege level requested"
        case 0x0B: "insufficient resources to create a session at the requested role"
        case 0x0C: "invalid name length"
        case 0x0D: "unauthorized name"
        case 0x0E: "unauthorized GUID"
        case 0x0F: "invalid integrity check value"
        case 0x10: "invalid confidentiality algorithm"
        case 0x11: "no cipher suite match with proposed security algorithms"
        case 0x12: "illegal or unrecognized parameter"
        default: "unknown status"
        }
    }
}

/// IPMI completion codes (IPMI 2.0 table 5-2), named for error lines.
public enum CompletionCode {
    public static func name(_ code: UInt8) -> String {
        switch code {
        case 0x00: "normal"
        case 0xC0: "node busy"
        case 0xC1: "invalid command"
        case 0xC2: "command invalid for this LUN"
        case 0xC3: "timeout while processing"
        case 0xC4: "out of space"
        case 0xC5: "reservation cancelled or invalid"
        case 0xC6: "request data truncated"
        case 0xC7: "request data length invalid"
        case 0xC8: "request data field length limit exceeded"
        case 0xC9: "parameter out of range"
        case 0xCA: "cannot return the number of requested data bytes"
        case 0xCB: "requested sensor, data or record not present"
        case 0xCC: "invalid data field in request"
        case 0xCD: "command illegal for this sensor or record type"
        case 0xCE: "command response could not be provided"
        case 0xCF: "cannot execute a duplicated request"
        case 0xD4: "insufficient privilege level"
        case 0xD5: "not supported in the present state"
        case 0xD6: "parameter is illegal because the sub-function is disabled"
        case 0x80: "parameter not supported"
        case 0x81: "attempt to set the set-in-progress value when not in the set-complete state"
        case 0x82: "attempt to write a read-only parameter"
        default: "unspecified error"
        }
    }
}

func hex(_ byte: UInt8) -> String {
    let digits = Array("0123456789abcdef")
    return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
}
