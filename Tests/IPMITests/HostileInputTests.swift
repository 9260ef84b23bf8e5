import Testing
@testable import IPMI

/// Truncated, corrupted and random datagrams are refused with an error, never a trap, and never move a
/// session forward.
@Suite struct HostileInputTests {
    @Test func everyTruncationOfEveryCapturedDatagramIsHandled() {
        for datagram in Captures.powerStatus + Captures.wrongPassword {
            let bytes = datagram.bytes
            for length in 0..<bytes.count {
                let cut = Array(bytes.prefix(length))
                if let packet = try? Packet(decoding: cut), case .rmcpPlus(let plus) = packet {
                    _ = try? Captures.consoleSide.open(plus)
                    _ = try? RAKPMessage2(decoding: plus.payload)
                    _ = try? OpenSessionResponse(decoding: plus.payload)
                    _ = try? RAKPMessage4(decoding: plus.payload)
                }
                _ = try? LANMessage.decodeResponse(cut)
            }
        }
    }

    @Test func corruptedSessionPacketsFailIntegrity() throws {
        let original = Captures.powerStatus[9].bytes
        #expect(throws: Never.self) { try Captures.consoleSide.open(try plusPacket(original)) }
        for index in 16..<original.count {
            var bytes = original
            bytes[index] ^= 0x40
            if let packet = try? plusPacket(bytes) {
                #expect(throws: IPMIDecodingError.self) { try Captures.consoleSide.open(packet) }
            }
        }
    }

    @Test func randomDatagramsNeverAdvanceTheSession() {
        var generator = SystemRandomNumberGenerator()
        let clock = ContinuousClock()
        for _ in 0..<2000 {
            var machine = Session(configuration: SessionConfiguration(username: "admin", password: Array("x".utf8)))
            _ = machine.start(now: clock.now)
            let length = Int.random(in: 0..<80, using: &generator)
            var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if bytes.count > 4, Bool.random(using: &generator) { bytes.replaceSubrange(0..<4, with: RMCP.header) }
            _ = machine.receive(bytes, now: clock.now)
            #expect(machine.phase == .capabilities || machine.phase == .failed)
        }
    }

    @Test func lengthFieldsPastTheEndAreRefused() {
        // Pre-session message length 0xFF with 2 bytes behind it; an RMCP+ payload length of 0xFFFF.
        #expect(throws: IPMIDecodingError.self) { try Packet(decoding: RMCP.header + [0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 1, 2]) }
        #expect(throws: IPMIDecodingError.self) {
            try Packet(decoding: RMCP.header + [6, 0x13, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 1])
        }
        #expect(throws: IPMIDecodingError.self) { try Packet(decoding: [6, 0, 0xFF, 0x06, 0x80]) }  // ASF class
    }
}
