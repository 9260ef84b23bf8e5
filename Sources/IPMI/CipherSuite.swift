import Crypto

/// The RMCP+ cipher suites this client offers (IPMI 2.0 table 22-20); both use AES-CBC-128 for confidentiality.
public enum CipherSuite: UInt8, Sendable, CaseIterable {
    /// RAKP-HMAC-SHA1, HMAC-SHA1-96, AES-CBC-128: what ipmitool and most BMCs use by default.
    case three = 3
    /// RAKP-HMAC-SHA256, HMAC-SHA256-128, AES-CBC-128.
    case seventeen = 17

    /// Authentication algorithm number in the Open Session Request.
    var authenticationAlgorithm: UInt8 { self == .three ? 0x01 : 0x03 }
    /// Integrity algorithm number.
    var integrityAlgorithm: UInt8 { self == .three ? 0x01 : 0x04 }
    /// Confidentiality algorithm number: AES-CBC-128.
    var confidentialityAlgorithm: UInt8 { 0x01 }

    /// Bytes of the integrity AuthCode in the session trailer, and of the RAKP 4 integrity check value.
    var integrityCodeLength: Int { self == .three ? 12 : 16 }

    /// The suite's HMAC (SHA-1 or SHA-256), untruncated.
    func hmac(key: [UInt8], _ message: [UInt8]) -> [UInt8] {
        let key = SymmetricKey(data: key)
        switch self {
        case .three: return Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: key))
        case .seventeen: return Array(HMAC<SHA256>.authenticationCode(for: message, using: key))
        }
    }
}

/// Constant-time comparison for authentication codes.
func codesMatch(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
}
