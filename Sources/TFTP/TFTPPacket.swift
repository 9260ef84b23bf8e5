import ByteOrder
/// TFTP error codes (RFC 1350 §5, RFC 2347 adds 8).
public enum TFTPErrorCode: UInt16, Sendable {
    case notDefined = 0
    case fileNotFound = 1
    case accessViolation = 2
    case diskFull = 3
    case illegalOperation = 4
    case unknownTransferID = 5
    case fileExists = 6
    case noSuchUser = 7
    case optionNegotiationRefused = 8
}

/// One option of a request or an OACK (RFC 2347): a name and its value, kept together from the wire to the
/// negotiation and back.
public struct TFTPOption: Sendable, Equatable, CustomStringConvertible {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    public var description: String { "\(name)=\(value)" }
}

/// One TFTP packet (RFC 1350 §5, options per RFC 2347).
public enum TFTPPacket: Sendable, Equatable {
    /// Read or write request: file name, transfer mode and options in the order sent (names lower-cased).
    case readRequest(filename: String, mode: String, options: [TFTPOption])
    case writeRequest(filename: String, mode: String)
    case data(block: UInt16, payload: ArraySlice<UInt8>)
    case acknowledgment(block: UInt16)
    case error(code: UInt16, message: String)
    case optionAcknowledgment([TFTPOption])

    public static func == (lhs: TFTPPacket, rhs: TFTPPacket) -> Bool {
        switch (lhs, rhs) {
        case let (.readRequest(a, b, c), .readRequest(x, y, z)): a == x && b == y && c == z
        case let (.writeRequest(a, b), .writeRequest(x, y)): a == x && b == y
        // By content: a payload sliced from a datagram keeps that datagram's indices.
        case let (.data(a, b), .data(x, y)): a == x && b.elementsEqual(y)
        case let (.acknowledgment(a), .acknowledgment(x)): a == x
        case let (.error(a, b), .error(x, y)): a == x && b == y
        case let (.optionAcknowledgment(a), .optionAcknowledgment(x)): a == x
        default: false
        }
    }
}

/// Why bytes were not a TFTP packet; counted, answered or dropped as RFC 1350 says, never trapped on.
public enum TFTPParseError: Error, Sendable, Equatable {
    case tooShort
    case unknownOpcode(UInt16)
    /// A request string (file name, mode, option) without its terminating NUL.
    case missingTerminator
    /// An option name without a value.
    case optionWithoutValue
    case emptyFileName
}

extension TFTPPacket {
    public init(parsing bytes: ArraySlice<UInt8>) throws(TFTPParseError) {
        guard bytes.count >= 2 else { throw .tooShort }
        let start = bytes.startIndex
        let opcode = BigEndian.uint16(bytes, at: start)
        let body = bytes[(start + 2)...]
        switch opcode {
        case 1, 2:
            let strings = try Self.terminatedStrings(body)
            guard strings.count >= 2 else { throw .missingTerminator }
            guard !strings[0].isEmpty else { throw .emptyFileName }
            let mode = strings[1].lowercased()
            if opcode == 2 {
                self = .writeRequest(filename: strings[0], mode: mode)
                return
            }
            let optionStrings = strings.dropFirst(2)
            guard optionStrings.count % 2 == 0 else { throw .optionWithoutValue }
            var options: [TFTPOption] = []
            var index = optionStrings.startIndex
            while index < optionStrings.endIndex {
                options.append(TFTPOption(optionStrings[index].lowercased(), optionStrings[index + 1]))
                index += 2
            }
            self = .readRequest(filename: strings[0], mode: mode, options: options)
        case 3:
            guard body.count >= 2 else { throw .tooShort }
            self = .data(block: BigEndian.uint16(body, at: body.startIndex),
                         payload: body[(body.startIndex + 2)...])
        case 4:
            guard body.count >= 2 else { throw .tooShort }
            self = .acknowledgment(block: BigEndian.uint16(body, at: body.startIndex))
        case 5:
            guard body.count >= 2 else { throw .tooShort }
            let code = BigEndian.uint16(body, at: body.startIndex)
            let text = body[(body.startIndex + 2)...]
            self = .error(code: code, message: String(decoding: text.prefix { $0 != 0 }, as: UTF8.self))
        case 6:
            let strings = try Self.terminatedStrings(body)
            guard strings.count % 2 == 0 else { throw .optionWithoutValue }
            self = .optionAcknowledgment(stride(from: 0, to: strings.count, by: 2).map { TFTPOption(strings[$0], strings[$0 + 1]) })
        default:
            throw .unknownOpcode(opcode)
        }
    }

    /// NUL-terminated strings filling `bytes` (request fields, option names and values).
    private static func terminatedStrings(_ bytes: ArraySlice<UInt8>) throws(TFTPParseError) -> [String] {
        var strings: [String] = []
        var cursor = bytes.startIndex
        while cursor < bytes.endIndex {
            guard let end = bytes[cursor...].firstIndex(of: 0) else { throw .missingTerminator }
            strings.append(String(decoding: bytes[cursor..<end], as: UTF8.self))
            cursor = end + 1
        }
        return strings
    }

    /// The packet on the wire.
    public var encoded: [UInt8] {
        var out: [UInt8] = []
        func opcode(_ value: UInt16) { BigEndian.append(value, to: &out) }
        func string(_ text: String) { out += Array(text.utf8) + [0] }
        switch self {
        case let .readRequest(filename, mode, options):
            opcode(1)
            string(filename)
            string(mode)
            for option in options {
                string(option.name)
                string(option.value)
            }
        case let .writeRequest(filename, mode):
            opcode(2)
            string(filename)
            string(mode)
        case let .data(block, payload):
            out.reserveCapacity(4 + payload.count)
            opcode(3)
            opcode(block)
            out += payload
        case let .acknowledgment(block):
            opcode(4)
            opcode(block)
        case let .error(code, message):
            opcode(5)
            opcode(code)
            string(message)
        case let .optionAcknowledgment(options):
            opcode(6)
            for option in options {
                string(option.name)
                string(option.value)
            }
        }
        return out
    }

    /// An ERROR packet with the code's RFC meaning.
    public static func error(_ code: TFTPErrorCode, _ message: String) -> TFTPPacket {
        .error(code: code.rawValue, message: message)
    }
}
