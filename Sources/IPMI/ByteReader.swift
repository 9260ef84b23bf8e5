import ByteOrder

/// Reads a message front to back; running past the end throws instead of trapping.
struct ByteReader {
    let bytes: [UInt8]
    private(set) var offset = 0
    let what: String

    init(_ bytes: some Collection<UInt8>, what: String) {
        self.bytes = Array(bytes)
        self.what = what
    }

    var remaining: Int { bytes.count - offset }

    mutating func byte() throws -> UInt8 {
        try take(1)[0]
    }

    mutating func take(_ count: Int) throws -> [UInt8] {
        guard count >= 0, count <= remaining else {
            throw IPMIDecodingError("\(what): \(bytes.count) bytes is too short (needs \(offset + count))")
        }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    mutating func rest() -> [UInt8] {
        defer { offset = bytes.count }
        return Array(bytes[offset...])
    }

    mutating func uint16() throws -> UInt16 {
        LittleEndian.uint16(try take(2), at: 0)
    }

    mutating func uint32() throws -> UInt32 {
        LittleEndian.uint32(try take(4), at: 0)
    }
}
