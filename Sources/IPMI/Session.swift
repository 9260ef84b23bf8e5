import ByteOrder

/// Who logs in and how patiently: the inputs of one RMCP+ session.
public struct SessionConfiguration: Sendable {
    public var username: String
    /// The password bytes (Kuid); at most 20 bytes for IPMI 2.0.
    public var password: [UInt8]
    public var suite: CipherSuite
    public var privilege: PrivilegeLevel
    /// How long to wait for an answer before sending again (ipmitool: 1 s).
    public var retransmitAfter: Duration
    /// Sends of one message, the first included, before the session gives up.
    public var attempts: Int

    public init(username: String, password: [UInt8], suite: CipherSuite = .three,
                privilege: PrivilegeLevel = .administrator, retransmitAfter: Duration = .seconds(1), attempts: Int = 3) {
        self.username = username
        self.password = password
        self.suite = suite
        self.privilege = privilege
        self.retransmitAfter = retransmitAfter
        self.attempts = attempts
    }
}

/// Where a session is.
public enum SessionPhase: Equatable, Sendable {
    case idle, capabilities, openSession, rakp2, rakp4, privilege, active, command, closing, closed, failed
}

/// Random bytes of the requested length: the console session ID, the RAKP random number, AES IVs.
public typealias RandomBytes = @Sendable (Int) -> [UInt8]

/// An IPMI 2.0 (RMCP+) session as a pure state machine: bytes out, bytes in, the clock passed in.
/// Get Channel Authentication Capabilities → Open Session → RAKP 1/2 → RAKP 3/4 → Set Session Privilege
/// Level → commands, one at a time → Close Session. Unanswered messages are sent again after
/// `retransmitAfter`, up to `attempts` times, when `tick` is called at `deadline`.
public struct Session: Sendable {
    public enum Action: Equatable, Sendable {
        case send([UInt8])
        /// The session is active: `send(_:now:)` may be called.
        case established
        case response(IPMIResponse)
        case closed
        case failed(SessionError)
    }

    public private(set) var phase: SessionPhase = .idle
    /// When `tick` should be called next; nil while nothing is outstanding.
    public private(set) var deadline: ContinuousClock.Instant?

    private let configuration: SessionConfiguration
    private let random: RandomBytes
    private var consoleSessionID: UInt32 = 0
    private var bmcSessionID: UInt32 = 0
    private var consoleRandom: [UInt8] = []
    /// The facts of RAKP 1 and 2, kept to check RAKP 4 and derive the keys.
    private var exchange: RAKPExchange?
    private var channel: SecureChannel?
    private var outboundSequence: UInt32 = 0
    private var requestSequence: UInt8 = 0
    private var pending: Pending?

    /// What we wait for an answer to, and how to send it again.
    private struct Pending {
        var stage: String
        var bytes: [UInt8]
        /// Set for messages inside the session: a resend is sealed again with a new sequence number and IV.
        var request: IPMIRequest?
        var requestSequence: UInt8
        var sends: Int
    }

    public init(configuration: SessionConfiguration, random: @escaping RandomBytes = Session.systemRandom) {
        self.configuration = configuration
        self.random = random
    }

    /// Random bytes from the system's generator, eight per call to it (one getrandom each, not one per byte).
    public static let systemRandom: RandomBytes = { count in
        var generator = SystemRandomNumberGenerator()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count + 7)
        while bytes.count < count { withUnsafeBytes(of: generator.next() as UInt64) { bytes += $0 } }
        return Array(bytes.prefix(count))
    }

    /// Sends Get Channel Authentication Capabilities.
    public mutating func start(now: ContinuousClock.Instant) -> [Action] {
        guard phase == .idle else { return [] }
        phase = .capabilities
        let request = ChannelAuthenticationCapabilities.request(privilege: configuration.privilege)
        return transmit(stage: "Get Channel Authentication Capabilities",
                        bytes: Packet.presession(LANMessage.encode(request, sequence: 0)), now: now)
    }

    /// Sends one command; the answer arrives as `.response`. Only while the session is active.
    public mutating func send(_ request: IPMIRequest, now: ContinuousClock.Instant) -> [Action] {
        guard phase == .active else { return [.failed(.notReady("the session is not active (\(phase))"))] }
        phase = .command
        return transmit(request, stage: request.name, now: now)
    }

    /// Sends Close Session; `.closed` follows. A session that never became active is simply dropped.
    public mutating func close(now: ContinuousClock.Instant) -> [Action] {
        guard phase == .active else {
            if phase != .failed { phase = .closed }
            deadline = nil
            pending = nil
            return [.closed]
        }
        phase = .closing
        return transmit(SessionCommand.close(bmcSessionID: bmcSessionID), stage: "Close Session", now: now)
    }

    /// Resends what is unanswered at `deadline`, or gives up after the last attempt.
    public mutating func tick(now: ContinuousClock.Instant) -> [Action] {
        guard let due = deadline, now >= due, var waiting = pending else { return [] }
        guard waiting.sends < configuration.attempts else {
            return fail(.timeout(stage: waiting.stage, attempts: waiting.sends))
        }
        if let request = waiting.request {
            guard let bytes = seal(request, requestSequence: waiting.requestSequence) else {
                return fail(.protocolViolation("could not encrypt \(waiting.stage)"))
            }
            waiting.bytes = bytes
        }
        waiting.sends += 1
        pending = waiting
        deadline = now + configuration.retransmitAfter
        return [.send(waiting.bytes)]
    }

    /// One datagram from the BMC. Anything malformed, forged or stale is ignored (the timer still runs).
    public mutating func receive(_ datagram: [UInt8], now: ContinuousClock.Instant) -> [Action] {
        guard let packet = try? Packet(decoding: datagram) else { return [] }
        switch (phase, packet) {
        case (.capabilities, .presession(let message)):
            return receiveCapabilities(message, now: now)
        case (.openSession, .rmcpPlus(let plus)) where plus.payloadType == PayloadType.openSessionResponse.rawValue:
            return receiveOpenSession(plus.payload, now: now)
        case (.rakp2, .rmcpPlus(let plus)) where plus.payloadType == PayloadType.rakp2.rawValue:
            return receiveRAKP2(plus.payload, now: now)
        case (.rakp4, .rmcpPlus(let plus)) where plus.payloadType == PayloadType.rakp4.rawValue:
            return receiveRAKP4(plus.payload, now: now)
        case (.privilege, .rmcpPlus(let plus)), (.command, .rmcpPlus(let plus)), (.closing, .rmcpPlus(let plus)):
            return receiveResponse(plus)
        default:
            return []
        }
    }

    // MARK: - Handshake

    private mutating func receiveCapabilities(_ message: [UInt8], now: ContinuousClock.Instant) -> [Action] {
        guard let response = try? LANMessage.decodeResponse(message), response.command == 0x38 else { return [] }
        guard response.completionCode == 0 else {
            return fail(.completion(stage: "Get Channel Authentication Capabilities", code: response.completionCode))
        }
        guard let capabilities = try? ChannelAuthenticationCapabilities(decoding: response.data) else { return [] }
        guard capabilities.supportsIPMI2 else { return fail(.noRMCPPlus) }
        consoleSessionID = LittleEndian.uint32(randomBytes(4), at: 0)
        if consoleSessionID == 0 { consoleSessionID = 1 }  // zero means "no session"
        phase = .openSession
        let request = OpenSessionRequest(consoleSessionID: consoleSessionID, suite: configuration.suite)
        return transmit(stage: "Open Session",
                        bytes: RMCPPlusPacket.plain(.openSessionRequest, payload: request.encoded), now: now)
    }

    private mutating func receiveOpenSession(_ payload: [UInt8], now: ContinuousClock.Instant) -> [Action] {
        guard let response = try? OpenSessionResponse(decoding: payload),
              response.consoleSessionID == consoleSessionID else { return [] }
        guard response.status == 0 else { return fail(.rejected(stage: "Open Session", status: response.status)) }
        let suite = configuration.suite
        guard response.authenticationAlgorithm == suite.authenticationAlgorithm,
              response.integrityAlgorithm == suite.integrityAlgorithm,
              response.confidentialityAlgorithm == suite.confidentialityAlgorithm else {
            return fail(.suiteNotOffered(requested: suite.rawValue, chosen: [response.authenticationAlgorithm,
                                                                             response.integrityAlgorithm,
                                                                             response.confidentialityAlgorithm]))
        }
        bmcSessionID = response.bmcSessionID
        consoleRandom = randomBytes(16)
        phase = .rakp2
        let message = RAKPMessage1(bmcSessionID: bmcSessionID, consoleRandom: consoleRandom, role: role,
                                   username: Array(configuration.username.utf8))
        return transmit(stage: "RAKP 1", bytes: RMCPPlusPacket.plain(.rakp1, payload: message.encoded), now: now)
    }

    private mutating func receiveRAKP2(_ payload: [UInt8], now: ContinuousClock.Instant) -> [Action] {
        guard let message = try? RAKPMessage2(decoding: payload), message.consoleSessionID == consoleSessionID else {
            return []
        }
        // Unknown user: a BMC says "unauthorized name"; a wrong password shows as a code that does not match.
        if message.status == 0x0D { return fail(.wrongCredentials(username: configuration.username)) }
        guard message.status == 0 else { return fail(.rejected(stage: "RAKP 1", status: message.status)) }
        let exchange = RAKPExchange(suite: configuration.suite, password: configuration.password,
                                    consoleSessionID: consoleSessionID, bmcSessionID: bmcSessionID,
                                    consoleRandom: consoleRandom, bmcRandom: message.bmcRandom,
                                    bmcGUID: message.bmcGUID, role: role, username: Array(configuration.username.utf8))
        guard codesMatch(exchange.expectedRAKP2Code, message.authenticationCode) else {
            // Tell the BMC to drop the half-open session now rather than at its timeout.
            let refusal = RAKPMessage3(status: 0x0F, bmcSessionID: bmcSessionID, authenticationCode: [])
            let actions = fail(.wrongCredentials(username: configuration.username))
            return [.send(RMCPPlusPacket.plain(.rakp3, payload: refusal.encoded))] + actions
        }
        self.exchange = exchange
        phase = .rakp4
        let reply = RAKPMessage3(bmcSessionID: bmcSessionID, authenticationCode: exchange.rakp3Code)
        return transmit(stage: "RAKP 3", bytes: RMCPPlusPacket.plain(.rakp3, payload: reply.encoded), now: now)
    }

    private mutating func receiveRAKP4(_ payload: [UInt8], now: ContinuousClock.Instant) -> [Action] {
        guard let message = try? RAKPMessage4(decoding: payload), message.consoleSessionID == consoleSessionID,
              let exchange else { return [] }
        guard message.status == 0 else { return fail(.rejected(stage: "RAKP 3", status: message.status)) }
        let keys = exchange.keys
        guard codesMatch(exchange.expectedRAKP4Value(keys: keys), message.integrityCheckValue) else {
            return fail(.protocolViolation("the RAKP 4 integrity check value does not match"))
        }
        channel = SecureChannel(keys: keys, bmcSessionID: bmcSessionID, consoleSessionID: consoleSessionID)
        phase = .privilege
        return transmit(SessionCommand.setPrivilege(configuration.privilege), stage: "Set Session Privilege Level",
                        now: now)
    }

    // MARK: - Inside the session

    private mutating func receiveResponse(_ packet: RMCPPlusPacket) -> [Action] {
        guard let channel, let waiting = pending, let request = waiting.request,
              let payload = try? channel.open(packet),
              let response = try? LANMessage.decodeResponse(payload),
              response.sequence == waiting.requestSequence, response.command == request.command,
              response.netFunction == request.netFunction &+ 1 else { return [] }
        pending = nil
        deadline = nil
        switch phase {
        case .privilege:
            guard response.completionCode == 0 else {
                return fail(.completion(stage: waiting.stage, code: response.completionCode))
            }
            phase = .active
            return [.established]
        case .closing:
            phase = .closed
            return [.closed]
        default:
            phase = .active
            return [.response(response)]
        }
    }

    // MARK: - Sending

    /// Role byte of RAKP 1: the privilege level with the "name-only lookup" bit, as ipmitool sends it.
    private var role: UInt8 { configuration.privilege.rawValue | 0x10 }

    private mutating func transmit(stage: String, bytes: [UInt8], now: ContinuousClock.Instant) -> [Action] {
        pending = Pending(stage: stage, bytes: bytes, request: nil, requestSequence: 0, sends: 1)
        deadline = now + configuration.retransmitAfter
        return [.send(bytes)]
    }

    private mutating func transmit(_ request: IPMIRequest, stage: String, now: ContinuousClock.Instant) -> [Action] {
        requestSequence = (requestSequence + 1) & 0x3F
        guard let bytes = seal(request, requestSequence: requestSequence) else {
            return fail(.protocolViolation("could not encrypt \(stage)"))
        }
        pending = Pending(stage: stage, bytes: bytes, request: request, requestSequence: requestSequence, sends: 1)
        deadline = now + configuration.retransmitAfter
        return [.send(bytes)]
    }

    /// The request as an encrypted, authenticated packet with the next session sequence number.
    private mutating func seal(_ request: IPMIRequest, requestSequence: UInt8) -> [UInt8]? {
        guard let channel else { return nil }
        outboundSequence &+= 1
        if outboundSequence == 0 { outboundSequence = 1 }
        return try? channel.seal(LANMessage.encode(request, sequence: requestSequence), sequence: outboundSequence,
                                 iv: randomBytes(16))
    }

    /// Exactly `count` bytes from the source, whatever it returns.
    private func randomBytes(_ count: Int) -> [UInt8] {
        Array((random(count) + [UInt8](repeating: 0, count: count)).prefix(count))
    }

    private mutating func fail(_ error: SessionError) -> [Action] {
        phase = .failed
        pending = nil
        deadline = nil
        return [.failed(error)]
    }
}
