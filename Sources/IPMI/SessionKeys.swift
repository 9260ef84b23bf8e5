import Crypto
import _CryptoExtras
import Foundation

/// The keys a finished RAKP exchange yields (IPMI 2.0 §13.31-13.32): SIK, K1 for integrity, K2 for AES.
public struct SessionKeys: Equatable, Sendable {
    public let suite: CipherSuite
    public let sik: [UInt8]
    public let k1: [UInt8]
    public let k2: [UInt8]

    /// SIK = HMAC_KG(Rm | Rc | role | name length | name); K1 and K2 = HMAC_SIK of 20 bytes of 1s and 2s.
    /// KG is the BMC key, or the user's password when the BMC has none (ipmitool's and ipmi_sim's reading).
    public init(suite: CipherSuite, keyGenerationKey: [UInt8], consoleRandom: [UInt8], bmcRandom: [UInt8],
                role: UInt8, username: [UInt8]) {
        self.suite = suite
        let input = consoleRandom + bmcRandom + [role, UInt8(truncatingIfNeeded: username.count)] + username
        sik = suite.hmac(key: keyGenerationKey, input)
        k1 = suite.hmac(key: sik, [UInt8](repeating: 0x01, count: 20))
        k2 = suite.hmac(key: sik, [UInt8](repeating: 0x02, count: 20))
    }

    /// The session trailer's AuthCode: HMAC_K1 over everything from the authentication type to next header.
    func integrityCode(_ covered: ArraySlice<UInt8>) -> [UInt8] {
        Array(suite.hmac(key: k1, Array(covered)).prefix(suite.integrityCodeLength))
    }

    /// IV followed by AES-CBC-128 of the payload with IPMI's pad (1, 2, 3, …, then the pad length).
    func encrypt(_ payload: [UInt8], iv: [UInt8]) throws -> [UInt8] {
        let padLength = (16 - (payload.count + 1) % 16) % 16
        let padded = payload + (0..<padLength).map { UInt8($0 + 1) } + [UInt8(padLength)]
        let cipher = try AES._CBC.encrypt(padded, using: aesKey, iv: try AES._CBC.IV(ivBytes: iv), noPadding: true)
        return iv + Array(cipher)
    }

    /// The payload inside IV + ciphertext; throws on a length that is not whole blocks or a bad pad length.
    func decrypt(_ payload: [UInt8]) throws -> [UInt8] {
        guard payload.count >= 32, payload.count % 16 == 0 else {
            throw IPMIDecodingError("encrypted payload of \(payload.count) bytes is not an IV and whole AES blocks")
        }
        let iv = try AES._CBC.IV(ivBytes: payload[0..<16])
        let plain = Array(try AES._CBC.decrypt(payload[16...], using: aesKey, iv: iv, noPadding: true))
        let padLength = Int(plain[plain.count - 1])
        guard padLength < 16, padLength < plain.count else {
            throw IPMIDecodingError("confidentiality pad length \(padLength) is impossible")
        }
        return Array(plain[0..<(plain.count - 1 - padLength)])
    }

    private var aesKey: SymmetricKey { SymmetricKey(data: k2.prefix(16)) }
}
