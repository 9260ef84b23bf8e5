import ByteOrder

/// RMCP+ Open Session Request (IPMI 2.0 table 13-17): our session ID and the algorithms of one cipher suite.
public struct OpenSessionRequest: Equatable, Sendable {
    public var tag: UInt8 = 0
    /// 0 asks for the highest level the algorithms allow (as ipmitool does for administrator sessions).
    public var maximumPrivilege: UInt8 = 0
    public var consoleSessionID: UInt32
    public var suite: CipherSuite

    public init(consoleSessionID: UInt32, suite: CipherSuite) {
        self.consoleSessionID = consoleSessionID
        self.suite = suite
    }

    public var encoded: [UInt8] {
        var bytes: [UInt8] = [tag, maximumPrivilege, 0, 0]
        LittleEndian.append(consoleSessionID, to: &bytes)
        bytes += [0x00, 0, 0, 8, suite.authenticationAlgorithm, 0, 0, 0]
        bytes += [0x01, 0, 0, 8, suite.integrityAlgorithm, 0, 0, 0]
        bytes += [0x02, 0, 0, 8, suite.confidentialityAlgorithm, 0, 0, 0]
        return bytes
    }
}

/// RMCP+ Open Session Response (IPMI 2.0 table 13-18): the BMC's session ID and the algorithms it chose.
public struct OpenSessionResponse: Equatable, Sendable {
    public var tag: UInt8
    public var status: UInt8
    public var maximumPrivilege: UInt8
    public var consoleSessionID: UInt32
    /// Zero when `status` is an error (the fields after our session ID may be absent then).
    public var bmcSessionID: UInt32 = 0
    public var authenticationAlgorithm: UInt8 = 0
    public var integrityAlgorithm: UInt8 = 0
    public var confidentialityAlgorithm: UInt8 = 0

    public init(decoding payload: [UInt8]) throws {
        var reader = ByteReader(payload, what: "Open Session Response")
        tag = try reader.byte()
        status = try reader.byte()
        maximumPrivilege = try reader.byte()
        _ = try reader.byte()
        consoleSessionID = try reader.uint32()
        guard status == 0 else { return }
        bmcSessionID = try reader.uint32()
        authenticationAlgorithm = try Self.algorithm(&reader, type: 0x00)
        integrityAlgorithm = try Self.algorithm(&reader, type: 0x01)
        confidentialityAlgorithm = try Self.algorithm(&reader, type: 0x02)
    }

    /// One 8-byte algorithm payload: type, reserved, reserved, length 8, algorithm, three reserved.
    private static func algorithm(_ reader: inout ByteReader, type: UInt8) throws -> UInt8 {
        let field = try reader.take(8)
        guard field[0] == type, field[3] == 8 else {
            throw IPMIDecodingError("Open Session Response: algorithm payload \(type) is malformed")
        }
        return field[4] & 0x3F
    }
}
