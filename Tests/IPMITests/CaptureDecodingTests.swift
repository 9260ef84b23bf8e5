import Testing
@testable import IPMI

/// The codec against bytes ipmitool and ipmi_sim really exchanged.
@Suite struct CaptureDecodingTests {
    @Test func channelCapabilitiesRequestIsIpmitoolsBytes() {
        let request = ChannelAuthenticationCapabilities.request(privilege: .administrator)
        #expect(Packet.presession(LANMessage.encode(request, sequence: 0)) == Captures.powerStatus[0].bytes)
    }

    @Test func channelCapabilitiesResponseDecodes() throws {
        guard case .presession(let message) = try Packet(decoding: Captures.powerStatus[1].bytes) else {
            Issue.record("not a pre-session packet"); return
        }
        let response = try LANMessage.decodeResponse(message)
        #expect(response.command == 0x38 && response.completionCode == 0)
        let capabilities = try ChannelAuthenticationCapabilities(decoding: response.data)
        #expect(capabilities.supportsIPMI2 && capabilities.channel == 1)
    }

    @Test func openSessionRequestIsIpmitoolsBytes() {
        let request = OpenSessionRequest(consoleSessionID: Captures.consoleSessionID, suite: .three)
        #expect(RMCPPlusPacket.plain(.openSessionRequest, payload: request.encoded) == Captures.powerStatus[2].bytes)
    }

    @Test func openSessionResponseDecodes() throws {
        let response = try OpenSessionResponse(decoding: payload(Captures.powerStatus[3].bytes))
        #expect(response.status == 0)
        #expect(response.consoleSessionID == Captures.consoleSessionID)
        #expect(response.bmcSessionID == Captures.bmcSessionID)
        #expect([response.authenticationAlgorithm, response.integrityAlgorithm, response.confidentialityAlgorithm]
                == [1, 1, 1])
    }

    @Test func rakp2CodeVerifiesWithThePasswordOnly() throws {
        let rakp2 = try RAKPMessage2(decoding: payload(Captures.powerStatus[5].bytes))
        #expect(rakp2.bmcGUID == bytesFromHex("a123456789abcdefa123456789abcdef"))
        #expect(codesMatch(Captures.exchange.expectedRAKP2Code, rakp2.authenticationCode))
        var wrong = Captures.exchange
        wrong.password = Array("wrong-secret".utf8)
        #expect(!codesMatch(wrong.expectedRAKP2Code, rakp2.authenticationCode))
    }

    @Test func rakp3AndRakp4MatchTheCapture() throws {
        let exchange = Captures.exchange
        let rakp3 = RAKPMessage3(bmcSessionID: Captures.bmcSessionID, authenticationCode: exchange.rakp3Code)
        #expect(RMCPPlusPacket.plain(.rakp3, payload: rakp3.encoded) == Captures.powerStatus[6].bytes)
        let rakp4 = try RAKPMessage4(decoding: payload(Captures.powerStatus[7].bytes))
        #expect(rakp4.status == 0)
        #expect(rakp4.integrityCheckValue == exchange.expectedRAKP4Value(keys: exchange.keys))
    }

    /// ipmitool's first session message is Set Session Privilege Level (rqSeq 1, session sequence 3):
    /// sealing it with the captured IV gives ipmitool's bytes exactly (AES-CBC, pad, integrity trailer).
    @Test func sealedSetPrivilegeIsIpmitoolsBytes() throws {
        let captured = Captures.powerStatus[8].bytes
        let iv = Array(try plusPacket(captured).payload.prefix(16))
        let message = LANMessage.encode(SessionCommand.setPrivilege(.administrator), sequence: 1)
        #expect(try Captures.consoleSide.seal(message, sequence: 3, iv: iv) == captured)
    }

    /// Every session packet of the capture opens with the derived keys; the BMC's answers decode.
    @Test func everySessionPacketOpens() throws {
        var commands: [UInt8] = []
        var chassis: ChassisStatus?
        for datagram in Captures.powerStatus[8...] {
            let packet = try plusPacket(datagram.bytes)
            if datagram.fromBMC {
                let response = try LANMessage.decodeResponse(try Captures.consoleSide.open(packet))
                if response.netFunction == 0x01, response.command == 0x01 {
                    chassis = try ChassisStatus(decoding: response.data)
                }
            } else {
                let request = try Captures.bmcSide.open(packet)
                commands.append(request[5])
            }
        }
        #expect(commands.first == 0x3B)  // Set Session Privilege Level
        #expect(commands.last == 0x3C)  // Close Session
        #expect(commands.contains(0x01))  // Get Chassis Status (and ipmitool's Get Device ID)
        #expect(chassis?.isPowerOn == true)
    }
}
