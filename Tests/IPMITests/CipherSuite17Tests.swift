import ByteOrder
import Testing
@testable import IPMI

/// Cipher suite 17 (HMAC-SHA256) end to end against a BMC side built from the same codec. ipmi_sim 2.0.33
/// refuses suite 17 ("invalid authentication algorithm"), so this is self-consistency plus the lengths the
/// specification fixes; interoperability with a suite-17 BMC is still to be shown.
@Suite struct CipherSuite17Tests {
    let clock = ContinuousClock()

    @Test func handshakeAndCommandWithSHA256() throws {
        let bmcID: UInt32 = 0x1234_5678
        let consoleIDBytes: [UInt8] = [1, 2, 3, 4]
        let consoleID = LittleEndian.uint32(consoleIDBytes, at: 0)
        let rm = [UInt8](repeating: 0xAA, count: 16), rc = [UInt8](repeating: 0xBB, count: 16)
        let guid = [UInt8](repeating: 0xCC, count: 16)
        let random = ScriptedRandom([consoleIDBytes, rm])
        let configuration = SessionConfiguration(username: "admin", password: Array("sha-secret".utf8),
                                                 suite: .seventeen)
        var machine = Session(configuration: configuration, random: random.source)
        let now = clock.now
        _ = machine.start(now: now)
        let capabilities = Packet.presession(lanResponse(netFunction: 0x06, command: 0x38, sequence: 0,
                                                         data: [1, 0x97, 0x04, 0x03, 0, 0, 0, 0]))
        let open = try #require(sent(machine.receive(capabilities, now: now)).first)
        #expect(Array(payload(open)[8...]) == [0, 0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 8, 4, 0, 0, 0, 2, 0, 0, 8, 1, 0, 0, 0])

        var response: [UInt8] = [0, 0, 4, 0] + consoleIDBytes + LittleEndian.bytes(bmcID)
        response += [0, 0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 8, 4, 0, 0, 0, 2, 0, 0, 8, 1, 0, 0, 0]
        _ = machine.receive(RMCPPlusPacket.plain(.openSessionResponse, payload: response), now: now)

        let exchange = RAKPExchange(suite: .seventeen, password: configuration.password, consoleSessionID: consoleID,
                                    bmcSessionID: bmcID, consoleRandom: rm, bmcRandom: rc, bmcGUID: guid,
                                    role: 0x14, username: Array("admin".utf8))
        #expect(exchange.expectedRAKP2Code.count == 32)
        let rakp2 = [0, 0, 0, 0] + consoleIDBytes + rc + guid + exchange.expectedRAKP2Code
        let rakp3 = try #require(sent(machine.receive(RMCPPlusPacket.plain(.rakp2, payload: rakp2), now: now)).first)
        #expect(Array(payload(rakp3)[8...]) == exchange.rakp3Code)

        let icv = exchange.expectedRAKP4Value(keys: exchange.keys)
        #expect(icv.count == 16)
        let privilege = try #require(sent(machine.receive(
            RMCPPlusPacket.plain(.rakp4, payload: [0, 0, 0, 0] + consoleIDBytes + icv), now: now)).first)
        // HMAC-SHA256-128: a 16-byte AuthCode after pad, pad length and next header 0x07.
        #expect(privilege[privilege.count - 17] == 0x07)
        let bmc = SecureChannel(keys: exchange.keys, bmcSessionID: consoleID, consoleSessionID: bmcID)
        let message = try bmc.open(try plusPacket(privilege))
        #expect(message[5] == 0x3B && message[6] == 4)
        let answer = try bmc.seal(lanResponse(netFunction: 0x06, command: 0x3B, sequence: message[4] >> 2, data: [4]),
                                  sequence: 1, iv: Array(repeating: 9, count: 16))
        #expect(machine.receive(answer, now: now) == [.established])
    }
}
