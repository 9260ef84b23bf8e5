import Testing
@testable import IPMI

/// The state machine fed the BMC's captured answers, with ipmitool's random numbers injected.
@Suite struct SessionReplayTests {
    let clock = ContinuousClock()

    func session(password: String, captured: [Captures.Datagram]) -> Session {
        let rm = Array(captured[4].bytes[16 + 8..<16 + 24])
        let random = ScriptedRandom([Captures.consoleSessionIDBytes, rm, Array(repeating: 0x11, count: 16)])
        return Session(configuration: SessionConfiguration(username: Captures.username, password: Array(password.utf8)),
                       random: random.source)
    }

    @Test func handshakeRequestsAreIpmitoolsBytes() throws {
        let capture = Captures.powerStatus
        var machine = session(password: Captures.password, captured: capture)
        let now = clock.now
        #expect(sent(machine.start(now: now)) == [capture[0].bytes])
        #expect(sent(machine.receive(capture[1].bytes, now: now)) == [capture[2].bytes])  // Open Session
        #expect(sent(machine.receive(capture[3].bytes, now: now)) == [capture[4].bytes])  // RAKP 1
        #expect(sent(machine.receive(capture[5].bytes, now: now)) == [capture[6].bytes])  // RAKP 3
        let privilege = sent(machine.receive(capture[7].bytes, now: now))
        #expect(machine.phase == .privilege)
        // Our Set Session Privilege Level: same message as ipmitool's, session sequence 1 and our IV.
        let ours = try Captures.bmcSide.open(try plusPacket(try #require(privilege.first)))
        let theirs = try Captures.bmcSide.open(try plusPacket(capture[8].bytes))
        #expect(ours == theirs)
        // The BMC's captured answer (rqSeq 1, Set Session Privilege Level) makes the session active.
        #expect(machine.receive(capture[9].bytes, now: now) == [.established])
        #expect(machine.phase == .active)
    }

    @Test func wrongPasswordIsOneClearError() throws {
        let capture = Captures.wrongPassword
        var machine = session(password: "wrong-secret", captured: capture)
        let now = clock.now
        #expect(sent(machine.start(now: now)) == [capture[0].bytes])
        #expect(sent(machine.receive(capture[1].bytes, now: now)) == [capture[2].bytes])
        #expect(sent(machine.receive(capture[3].bytes, now: now)) == [capture[4].bytes])
        let actions = machine.receive(capture[5].bytes, now: now)
        #expect(actions.last == .failed(.wrongCredentials(username: "admin")))
        #expect("\(SessionError.wrongCredentials(username: "admin"))".hasPrefix("wrong username or password"))
        #expect(machine.phase == .failed && machine.deadline == nil)
        // The refusal tells the BMC to drop the half-open session: RAKP 3 with status 0x0F.
        let refusal = try #require(sent(actions).first)
        #expect(payload(refusal)[1] == 0x0F)
    }

    /// The same RAKP 2 bytes are accepted with the right password: the check is the password, nothing else.
    @Test func wrongPasswordCaptureAcceptsTheRightPassword() {
        let capture = Captures.wrongPassword
        var machine = session(password: Captures.password, captured: capture)
        let now = clock.now
        _ = machine.start(now: now)
        _ = machine.receive(capture[1].bytes, now: now)
        _ = machine.receive(capture[3].bytes, now: now)
        let actions = machine.receive(capture[5].bytes, now: now)
        #expect(machine.phase == .rakp4)
        #expect(sent(actions).count == 1)
    }

    @Test func unknownUserIsWrongCredentials() {
        var machine = session(password: Captures.password, captured: Captures.powerStatus)
        let now = clock.now
        _ = machine.start(now: now)
        _ = machine.receive(Captures.powerStatus[1].bytes, now: now)
        _ = machine.receive(Captures.powerStatus[3].bytes, now: now)
        // RAKP 2 with status 0x0D "unauthorized name", for our session ID.
        let refusal = RMCPPlusPacket.plain(.rakp2, payload: [0, 0x0D, 0, 0] + Captures.consoleSessionIDBytes)
        #expect(machine.receive(refusal, now: now) == [.failed(.wrongCredentials(username: "admin"))])
    }
}

/// Commands inside an active session, retransmission and giving up, driven by a BMC built from the codec.
@Suite struct SessionCommandTests {
    let clock = ContinuousClock()

    /// A session made active by replaying the capture's handshake.
    func activeSession() -> Session {
        let capture = Captures.powerStatus
        let random = ScriptedRandom([Captures.consoleSessionIDBytes, Captures.consoleRandom])
        var machine = Session(configuration: SessionConfiguration(username: Captures.username,
                                                                  password: Array(Captures.password.utf8)),
                              random: random.source)
        let now = clock.now
        _ = machine.start(now: now)
        for index in [1, 3, 5, 7, 9] { _ = machine.receive(capture[index].bytes, now: now) }
        return machine
    }

    func answer(_ request: [UInt8], completionCode: UInt8 = 0, data: [UInt8] = [], sequence: UInt32 = 10) throws
        -> [UInt8] {
        let message = try Captures.bmcSide.open(try plusPacket(request))
        let response = lanResponse(netFunction: message[1] >> 2, command: message[5], sequence: message[4] >> 2,
                                   completionCode: completionCode, data: data)
        return try Captures.bmcSide.seal(response, sequence: sequence, iv: Array(repeating: 0x33, count: 16))
    }

    @Test func chassisStatusRoundTrip() throws {
        var machine = activeSession()
        #expect(machine.phase == .active)
        let now = clock.now
        let request = try #require(sent(machine.send(ChassisStatus.request, now: now)).first)
        let actions = machine.receive(try answer(request, data: [0x01, 0x00, 0x00]), now: now)
        guard case .response(let response) = actions.first else { Issue.record("no response: \(actions)"); return }
        #expect(try ChassisStatus(decoding: response.data).isPowerOn)
        #expect(machine.phase == .active)
    }

    @Test func staleOrForgedAnswersAreIgnored() throws {
        var machine = activeSession()
        let now = clock.now
        let request = try #require(sent(machine.send(ChassisStatus.request, now: now)).first)
        var forged = try answer(request, data: [0x01, 0x00, 0x00])
        forged[forged.count - 1] ^= 0x01  // AuthCode no longer matches
        #expect(machine.receive(forged, now: now).isEmpty)
        #expect(machine.receive(Captures.powerStatus[9].bytes, now: now).isEmpty)  // an old answer (rqSeq 1)
        #expect(machine.phase == .command)
    }

    @Test func retransmitsThenGivesUp() throws {
        var machine = activeSession()
        let start = clock.now
        let first = try #require(sent(machine.send(ChassisStatus.request, now: start)).first)
        #expect(machine.tick(now: start + .milliseconds(500)).isEmpty)
        let second = try #require(sent(machine.tick(now: start + .seconds(1))).first)
        // Sent again with a new session sequence number; the same command and rqSeq inside.
        #expect(second != first)
        #expect(try Captures.bmcSide.open(plusPacket(second)) == Captures.bmcSide.open(plusPacket(first)))
        #expect(sent(machine.tick(now: start + .seconds(2))).count == 1)
        #expect(machine.tick(now: start + .seconds(3))
                == [.failed(.timeout(stage: "Get Chassis Status", attempts: 3))])
        // The answer to the resend still counts while the session waits.
        var other = activeSession()
        _ = other.send(ChassisStatus.request, now: start)
        let resent = try #require(sent(other.tick(now: start + .seconds(1))).first)
        #expect(other.receive(try answer(resent, data: [0, 0, 0]), now: start).count == 1)
    }

    @Test func handshakeTimeoutNamesTheStep() {
        var machine = Session(configuration: SessionConfiguration(username: "admin", password: []))
        let start = clock.now
        let first = sent(machine.start(now: start))
        #expect(sent(machine.tick(now: start + .seconds(1))) == first)  // identical bytes before a session
        _ = machine.tick(now: start + .seconds(2))
        let actions = machine.tick(now: start + .seconds(3))
        #expect(actions == [.failed(.timeout(stage: "Get Channel Authentication Capabilities", attempts: 3))])
        #expect("\(SessionError.timeout(stage: "Open Session", attempts: 3))" == "no answer from the BMC to Open Session after 3 tries")
    }

    @Test func closeSessionNamesTheBMCSession() throws {
        var machine = activeSession()
        let now = clock.now
        let request = try #require(sent(machine.close(now: now)).first)
        let message = try Captures.bmcSide.open(try plusPacket(request))
        #expect(Array(message[5..<10]) == [0x3C, 0x84, 0x04, 0x00, 0x00])
        #expect(machine.receive(try answer(request), now: now) == [.closed])
    }

    @Test func commandsBeforeTheSessionIsActiveAreRefused() {
        var machine = Session(configuration: SessionConfiguration(username: "admin", password: []))
        guard case .failed(.notReady) = machine.send(ChassisStatus.request, now: clock.now).first else {
            Issue.record("accepted a command before the session"); return
        }
    }
}
