@testable import IPMI

/// Random bytes handed out in order: what the capture shows ipmitool drew (session ID, Rm, IVs).
final class ScriptedRandom: @unchecked Sendable {
    private var queue: [[UInt8]]
    init(_ queue: [[UInt8]]) { self.queue = queue }
    var source: RandomBytes {
        { count in
            guard !self.queue.isEmpty else { return [UInt8](repeating: 0x42, count: count) }
            return self.queue.removeFirst()
        }
    }
}

extension Captures {
    /// The console random number ipmitool put in its RAKP 1 (bytes 8..<24 of the payload).
    static var consoleRandom: [UInt8] { Array(powerStatus[4].bytes[16 + 8..<16 + 24]) }
    static let consoleSessionIDBytes: [UInt8] = [0xA4, 0xA3, 0xA2, 0xA0]
    static let consoleSessionID: UInt32 = 0xA0A2_A3A4
    static let bmcSessionID: UInt32 = 0x0484

    /// The keys of the captured session, from the captured random numbers and the test password.
    static var exchange: RAKPExchange {
        let rakp2 = try! RAKPMessage2(decoding: payload(powerStatus[5].bytes))
        return RAKPExchange(suite: .three, password: Array(password.utf8), consoleSessionID: consoleSessionID,
                            bmcSessionID: bmcSessionID, consoleRandom: consoleRandom, bmcRandom: rakp2.bmcRandom,
                            bmcGUID: rakp2.bmcGUID, role: 0x14, username: Array(username.utf8))
    }

    /// How the BMC sees the session: its packets carry our ID, ours carry its ID.
    static var bmcSide: SecureChannel {
        SecureChannel(keys: exchange.keys, bmcSessionID: consoleSessionID, consoleSessionID: bmcSessionID)
    }
    static var consoleSide: SecureChannel {
        SecureChannel(keys: exchange.keys, bmcSessionID: bmcSessionID, consoleSessionID: consoleSessionID)
    }
}

/// The payload of an RMCP+ datagram (header: 4 RMCP + 12 session bytes).
func payload(_ datagram: [UInt8]) -> [UInt8] {
    guard case .rmcpPlus(let packet) = try! Packet(decoding: datagram) else { fatalError("not RMCP+") }
    return packet.payload
}

func plusPacket(_ datagram: [UInt8]) throws -> RMCPPlusPacket {
    guard case .rmcpPlus(let packet) = try Packet(decoding: datagram) else { throw IPMIDecodingError("not RMCP+") }
    return packet
}

/// An IPMI LAN response message as a BMC frames it.
func lanResponse(netFunction: UInt8, command: UInt8, sequence: UInt8, completionCode: UInt8 = 0,
                 data: [UInt8] = []) -> [UInt8] {
    var bytes: [UInt8] = [LANMessage.consoleAddress, (netFunction + 1) << 2]
    bytes.append(LANMessage.checksum(bytes[...]))
    bytes += [LANMessage.bmcAddress, sequence << 2, command, completionCode] + data
    bytes.append(LANMessage.checksum(bytes[3...]))
    return bytes
}

/// The `.send` bytes among actions.
func sent(_ actions: [Session.Action]) -> [[UInt8]] {
    actions.compactMap { if case .send(let bytes) = $0 { bytes } else { nil } }
}
