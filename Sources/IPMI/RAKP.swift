import ByteOrder

/// RAKP Message 1 (IPMI 2.0 table 13-19): our random number, the role we ask for and the user name.
public struct RAKPMessage1: Equatable, Sendable {
    public var tag: UInt8 = 0
    public var bmcSessionID: UInt32
    public var consoleRandom: [UInt8]
    /// Privilege level, plus 0x10 for a name-only lookup (ipmitool's default).
    public var role: UInt8
    public var username: [UInt8]

    public init(bmcSessionID: UInt32, consoleRandom: [UInt8], role: UInt8, username: [UInt8]) {
        self.bmcSessionID = bmcSessionID
        self.consoleRandom = consoleRandom
        self.role = role
        self.username = username
    }

    public var encoded: [UInt8] {
        var bytes: [UInt8] = [tag, 0, 0, 0]
        LittleEndian.append(bmcSessionID, to: &bytes)
        bytes += consoleRandom + [role, 0, 0, UInt8(truncatingIfNeeded: username.count)] + username
        return bytes
    }
}

/// RAKP Message 2 (table 13-20): the BMC's random number, its GUID and its key-exchange authentication code.
public struct RAKPMessage2: Equatable, Sendable {
    public var tag: UInt8
    public var status: UInt8
    public var consoleSessionID: UInt32
    public var bmcRandom: [UInt8] = []
    public var bmcGUID: [UInt8] = []
    public var authenticationCode: [UInt8] = []

    public init(decoding payload: [UInt8]) throws {
        var reader = ByteReader(payload, what: "RAKP 2")
        tag = try reader.byte()
        status = try reader.byte()
        _ = try reader.take(2)
        consoleSessionID = try reader.uint32()
        guard status == 0 else { return }
        bmcRandom = try reader.take(16)
        bmcGUID = try reader.take(16)
        authenticationCode = reader.rest()
    }
}

/// RAKP Message 3 (table 13-21): our key-exchange authentication code, or an error status.
public struct RAKPMessage3: Equatable, Sendable {
    public var tag: UInt8 = 0
    public var status: UInt8
    public var bmcSessionID: UInt32
    public var authenticationCode: [UInt8]

    public init(status: UInt8 = 0, bmcSessionID: UInt32, authenticationCode: [UInt8]) {
        self.status = status
        self.bmcSessionID = bmcSessionID
        self.authenticationCode = authenticationCode
    }

    public var encoded: [UInt8] {
        var bytes: [UInt8] = [tag, status, 0, 0]
        LittleEndian.append(bmcSessionID, to: &bytes)
        return bytes + authenticationCode
    }
}

/// RAKP Message 4 (table 13-22): the BMC's integrity check value over the session's first facts.
public struct RAKPMessage4: Equatable, Sendable {
    public var tag: UInt8
    public var status: UInt8
    public var consoleSessionID: UInt32
    public var integrityCheckValue: [UInt8] = []

    public init(decoding payload: [UInt8]) throws {
        var reader = ByteReader(payload, what: "RAKP 4")
        tag = try reader.byte()
        status = try reader.byte()
        _ = try reader.take(2)
        consoleSessionID = try reader.uint32()
        integrityCheckValue = reader.rest()
    }
}

/// The facts both sides of a RAKP exchange hash (§13.31); session IDs go in as they are on the wire.
public struct RAKPExchange: Equatable, Sendable {
    public var suite: CipherSuite
    public var password: [UInt8]
    public var consoleSessionID: UInt32
    public var bmcSessionID: UInt32
    public var consoleRandom: [UInt8]
    public var bmcRandom: [UInt8]
    public var bmcGUID: [UInt8]
    public var role: UInt8
    public var username: [UInt8]

    /// What the BMC must have sent in RAKP 2: HMAC_Kuid(SIDm | SIDc | Rm | Rc | GUIDc | role | length | name).
    public var expectedRAKP2Code: [UInt8] {
        suite.hmac(key: password, LittleEndian.bytes(consoleSessionID) + LittleEndian.bytes(bmcSessionID)
                   + consoleRandom + bmcRandom + bmcGUID + nameFields)
    }

    /// What we send in RAKP 3: HMAC_Kuid(Rc | SIDm | role | length | name).
    public var rakp3Code: [UInt8] {
        suite.hmac(key: password, bmcRandom + LittleEndian.bytes(consoleSessionID) + nameFields)
    }

    /// What the BMC must send in RAKP 4: HMAC_SIK(Rm | SIDc | GUIDc), truncated (12 bytes SHA-1, 16 SHA-256).
    public func expectedRAKP4Value(keys: SessionKeys) -> [UInt8] {
        Array(suite.hmac(key: keys.sik, consoleRandom + LittleEndian.bytes(bmcSessionID) + bmcGUID)
            .prefix(suite.integrityCodeLength))
    }

    /// SIK, K1, K2 from this exchange (KG is the password: no BMC key is configured).
    public var keys: SessionKeys {
        SessionKeys(suite: suite, keyGenerationKey: password, consoleRandom: consoleRandom, bmcRandom: bmcRandom,
                    role: role, username: username)
    }

    private var nameFields: [UInt8] { [role, UInt8(truncatingIfNeeded: username.count)] + username }
}
