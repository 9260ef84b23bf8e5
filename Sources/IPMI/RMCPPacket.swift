import ByteOrder

/// The RMCP header every IPMI-over-LAN datagram starts with: version 6, no acknowledgement, class IPMI.
public enum RMCP {
    public static let header: [UInt8] = [0x06, 0x00, 0xFF, 0x07]
}

/// RMCP+ payload types (IPMI 2.0 table 13-16) this client sends or accepts.
public enum PayloadType: UInt8, Sendable {
    case ipmi = 0x00
    case openSessionRequest = 0x10
    case openSessionResponse = 0x11
    case rakp1 = 0x12
    case rakp2 = 0x13
    case rakp3 = 0x14
    case rakp4 = 0x15
}

/// One datagram from a BMC, split into its session header fields; nothing is verified or decrypted yet.
public enum Packet: Equatable, Sendable {
    /// IPMI 1.5 framing with authentication type none: the pre-session Get Channel Authentication Capabilities.
    case presession(message: [UInt8])
    /// IPMI 2.0 (authentication type 6, RMCP+).
    case rmcpPlus(RMCPPlusPacket)

    /// Splits a datagram. Throws on anything that is not well-formed IPMI over RMCP.
    public init(decoding datagram: [UInt8]) throws {
        var reader = ByteReader(datagram, what: "RMCP datagram")
        let rmcp = try reader.take(4)
        guard rmcp[0] == 0x06 else { throw IPMIDecodingError("RMCP version 0x\(hex(rmcp[0])), expected 0x06") }
        guard rmcp[3] & 0x7F == 0x07 else { throw IPMIDecodingError("RMCP class 0x\(hex(rmcp[3])) is not IPMI") }
        let authenticationType = try reader.byte()
        switch authenticationType {
        case 0x00:
            _ = try reader.uint32()  // session sequence number: zero before a session
            _ = try reader.uint32()  // session ID
            let length = Int(try reader.byte())
            self = .presession(message: try reader.take(length))
        case 0x06:
            self = .rmcpPlus(try RMCPPlusPacket(decodingAfterAuthenticationType: &reader, datagram: datagram))
        default:
            throw IPMIDecodingError("IPMI 1.5 authentication type 0x\(hex(authenticationType)) is not supported")
        }
    }

    /// A pre-session IPMI 1.5 packet around an IPMI message (session ID and sequence number zero).
    public static func presession(_ message: [UInt8]) -> [UInt8] {
        RMCP.header + [0x00, 0, 0, 0, 0, 0, 0, 0, 0, UInt8(truncatingIfNeeded: message.count)] + message
    }
}

/// An IPMI 2.0 session packet: header fields, the payload as sent (maybe encrypted), and the trailer.
public struct RMCPPlusPacket: Equatable, Sendable {
    public var payloadType: UInt8
    public var isEncrypted: Bool
    public var isAuthenticated: Bool
    public var sessionID: UInt32
    public var sequence: UInt32
    public var payload: [UInt8]
    /// Whole datagram, kept for integrity checking of authenticated packets.
    public var datagram: [UInt8]
    /// Where the payload ends in `datagram` (the session trailer follows).
    public var payloadEnd: Int

    init(decodingAfterAuthenticationType reader: inout ByteReader, datagram: [UInt8]) throws {
        let type = try reader.byte()
        payloadType = type & 0x3F
        isEncrypted = type & 0x80 != 0
        isAuthenticated = type & 0x40 != 0
        guard payloadType != 0x02 else { throw IPMIDecodingError("OEM payloads are not supported") }
        sessionID = try reader.uint32()
        sequence = try reader.uint32()
        let length = Int(try reader.uint16())
        payload = try reader.take(length)
        payloadEnd = reader.offset
        self.datagram = datagram
        if !isAuthenticated, reader.remaining != 0 {
            throw IPMIDecodingError("unauthenticated packet has \(reader.remaining) bytes after its payload")
        }
    }

    /// Header and payload of an outgoing packet; `SecureChannel` adds the trailer when authenticated.
    static func header(type: PayloadType, encrypted: Bool, authenticated: Bool, sessionID: UInt32,
                       sequence: UInt32, payloadLength: Int) -> [UInt8] {
        var bytes = RMCP.header + [0x06]
        bytes.append(type.rawValue | (encrypted ? 0x80 : 0) | (authenticated ? 0x40 : 0))
        LittleEndian.append(sessionID, to: &bytes)
        LittleEndian.append(sequence, to: &bytes)
        LittleEndian.append(UInt16(truncatingIfNeeded: payloadLength), to: &bytes)
        return bytes
    }

    /// An unauthenticated, unencrypted packet: the handshake messages (session ID and sequence zero).
    public static func plain(_ type: PayloadType, payload: [UInt8]) -> [UInt8] {
        header(type: type, encrypted: false, authenticated: false, sessionID: 0, sequence: 0,
               payloadLength: payload.count) + payload
    }
}
