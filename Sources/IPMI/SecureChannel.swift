import ByteOrder

/// Builds and opens packets of an active session: AES-CBC-128 confidentiality and the integrity trailer.
public struct SecureChannel: Equatable, Sendable {
    public let keys: SessionKeys
    /// The BMC's session ID: what our packets carry.
    public let bmcSessionID: UInt32
    /// Our session ID: what the BMC's packets carry.
    public let consoleSessionID: UInt32

    public init(keys: SessionKeys, bmcSessionID: UInt32, consoleSessionID: UInt32) {
        self.keys = keys
        self.bmcSessionID = bmcSessionID
        self.consoleSessionID = consoleSessionID
    }

    /// An encrypted, authenticated IPMI payload packet with session sequence number `sequence`.
    public func seal(_ payload: [UInt8], sequence: UInt32, iv: [UInt8]) throws -> [UInt8] {
        let encrypted = try keys.encrypt(payload, iv: iv)
        var packet = RMCPPlusPacket.header(type: .ipmi, encrypted: true, authenticated: true,
                                           sessionID: bmcSessionID, sequence: sequence,
                                           payloadLength: encrypted.count) + encrypted
        // Integrity pad: 0xFF until authentication type … next header is a multiple of 4 bytes.
        let covered = packet.count - RMCP.header.count + 2
        let padLength = (4 - covered % 4) % 4
        packet += [UInt8](repeating: 0xFF, count: padLength) + [UInt8(padLength), 0x07]
        packet += keys.integrityCode(packet[RMCP.header.count...])
        return packet
    }

    /// The plaintext IPMI payload of a packet from the BMC, after its session ID, AuthCode and pad are checked.
    public func open(_ packet: RMCPPlusPacket) throws -> [UInt8] {
        guard packet.sessionID == consoleSessionID else {
            throw IPMIDecodingError("packet for session 0x\(String(packet.sessionID, radix: 16)), not ours")
        }
        guard packet.payloadType == PayloadType.ipmi.rawValue else {
            throw IPMIDecodingError("payload type 0x\(hex(packet.payloadType)) inside a session")
        }
        guard packet.isAuthenticated, packet.isEncrypted else {
            throw IPMIDecodingError("session packet without integrity or confidentiality")
        }
        let datagram = packet.datagram
        let codeLength = keys.suite.integrityCodeLength
        let codeStart = datagram.count - codeLength
        // Trailer: pad (0xFF…), pad length, next header 0x07, AuthCode.
        guard codeStart - 2 >= packet.payloadEnd else { throw IPMIDecodingError("session trailer is too short") }
        let padLength = Int(datagram[codeStart - 2])
        guard datagram[codeStart - 1] == 0x07, packet.payloadEnd + padLength == codeStart - 2,
              datagram[packet.payloadEnd..<(codeStart - 2)].allSatisfy({ $0 == 0xFF }) else {
            throw IPMIDecodingError("malformed session trailer")
        }
        let expected = keys.integrityCode(datagram[RMCP.header.count..<codeStart])
        guard codesMatch(expected, Array(datagram[codeStart...])) else {
            throw IPMIDecodingError("integrity AuthCode does not match")
        }
        return try keys.decrypt(packet.payload)
    }
}
