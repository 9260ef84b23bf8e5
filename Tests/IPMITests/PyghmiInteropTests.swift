import Testing
@testable import IPMI

/// The session machine against pyghmi's fakebmc, an independent BMC implementation: its captured answers
/// replayed, with the session ID and random number the captured run drew.
@Suite struct PyghmiInteropTests {
    typealias Pyghmi = Captures.Pyghmi
    let clock = ContinuousClock()

    /// A session whose random source hands out what the captured run drew: our session ID (Open Session
    /// Request payload bytes 4..<8), Rm (RAKP 1 payload bytes 8..<24), then IVs.
    func session(_ capture: [Captures.Datagram], username: String = Pyghmi.username,
                 suite: CipherSuite = .three) -> Session {
        let sessionID = Array(payload(capture[2].bytes)[4..<8])
        let rm = capture.count > 4 ? Array(payload(capture[4].bytes)[8..<24]) : []
        let random = ScriptedRandom([sessionID, rm] + Array(repeating: Array(repeating: 0x11, count: 16), count: 4))
        let configuration = SessionConfiguration(username: username, password: Array(Pyghmi.password.utf8),
                                                 suite: suite)
        return Session(configuration: configuration, random: random.source)
    }

    /// Suite 3 works against pyghmi byte for byte: the handshake requests are the captured ones, its RAKP 2
    /// and RAKP 4 check out with our keys, and Get Chassis Status and Close Session are answered.
    @Test func suite3SessionReplays() throws {
        let capture = Pyghmi.status
        var machine = session(capture)
        let now = clock.now
        #expect(sent(machine.start(now: now)) == [capture[0].bytes])
        #expect(sent(machine.receive(capture[1].bytes, now: now)) == [capture[2].bytes])  // Open Session
        #expect(sent(machine.receive(capture[3].bytes, now: now)) == [capture[4].bytes])  // RAKP 1
        #expect(sent(machine.receive(capture[5].bytes, now: now)) == [capture[6].bytes])  // RAKP 3
        #expect(sent(machine.receive(capture[7].bytes, now: now)).count == 1)  // Set Session Privilege Level
        #expect(machine.phase == .privilege)
        #expect(machine.receive(capture[9].bytes, now: now) == [.established])
        _ = machine.send(ChassisStatus.request, now: now)
        guard case .response(let response) = machine.receive(capture[11].bytes, now: now).first else {
            Issue.record("no Get Chassis Status response"); return
        }
        let status = try ChassisStatus(decoding: response.data)
        #expect(response.completionCode == 0 && !status.isPowerOn)
        _ = machine.close(now: now)
        #expect(machine.receive(capture[13].bytes, now: now) == [.closed])
    }

    /// pyghmi offers suite 3 only, and answers a suite 17 Open Session Request with status 0 and suite 3's
    /// algorithms instead of "no cipher suite match" (0x11). The line says which suite the BMC does offer.
    @Test func suite17RefusalNamesTheSuiteTheBMCOffers() {
        let capture = Pyghmi.suite17
        var machine = session(capture, suite: .seventeen)
        let now = clock.now
        _ = machine.start(now: now)
        #expect(sent(machine.receive(capture[1].bytes, now: now)) == [capture[2].bytes])
        let actions = machine.receive(capture[3].bytes, now: now)
        guard case .failed(let error) = actions.last else { Issue.record("not refused: \(actions)"); return }
        #expect("\(error)" == "the BMC does not offer cipher suite 17: it chose the algorithms of cipher suite 3; use suite 3")
        #expect(machine.phase == .failed)
        // Algorithms of no suite we know are named by number.
        #expect("\(SessionError.suiteNotOffered(requested: 17, chosen: [1, 2, 0]))"
                == "the BMC does not offer cipher suite 17: it chose authentication, integrity and confidentiality "
                + "algorithms 1, 2, 0")
    }

    /// pyghmi drops RAKP 1 for a user it does not know instead of answering "unauthorized name": the timeout
    /// line says that an unknown user name is the likely cause.
    @Test func silenceAfterRAKP1HintsAtTheUserName() {
        let capture = Pyghmi.unknownUser
        var machine = session(capture, username: "nobody")
        let start = clock.now
        _ = machine.start(now: start)
        _ = machine.receive(capture[1].bytes, now: start)
        #expect(sent(machine.receive(capture[3].bytes, now: start)) == [capture[4].bytes])  // RAKP 1, name "nobody"
        #expect(sent(machine.tick(now: start + .seconds(1))) == [capture[5].bytes])  // sent again, unanswered
        #expect(sent(machine.tick(now: start + .seconds(2))) == [capture[5].bytes])
        let actions = machine.tick(now: start + .seconds(3))
        guard case .failed(let error) = actions.last else { Issue.record("no failure: \(actions)"); return }
        #expect("\(error)" == "no answer from the BMC to RAKP 1 after 3 tries "
                + "(some BMCs, pyghmi's among them, ignore a user name they do not know: check the user name)")
    }
}
