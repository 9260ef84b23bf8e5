/// The common header of a FRU image (Platform Management FRU Information Storage Definition 1.0, section 8):
/// format version 1, the byte offsets of the areas (nil when absent), a zero checksum.
public struct FRUCommonHeader: Equatable, Sendable {
    public static let length = 8

    public var internalUseOffset: Int?
    public var chassisOffset: Int?
    public var boardOffset: Int?
    public var productOffset: Int?
    public var multiRecordOffset: Int?

    public init(decoding bytes: [UInt8]) throws {
        guard bytes.count >= Self.length else {
            throw IPMIDecodingError("FRU common header: \(bytes.count) bytes, needs \(Self.length)")
        }
        guard bytes[0] & 0x0F == 0x01 else {
            throw IPMIDecodingError("FRU common header: format version \(bytes[0] & 0x0F), expected 1")
        }
        guard bytes[0..<Self.length].reduce(0, &+) == 0 else {
            throw IPMIDecodingError("FRU common header: bad checksum")
        }
        // Offsets count 8-byte multiples; zero means the area is absent.
        let offsets = bytes[1...5].map { $0 == 0 ? nil : Int($0) * 8 }
        (internalUseOffset, chassisOffset, boardOffset, productOffset, multiRecordOffset) =
            (offsets[0], offsets[1], offsets[2], offsets[3], offsets[4])
    }
}

/// One type/length field of an info area (section 13): text in one of three encodings, or bytes.
public enum FRUField: Equatable, Sendable {
    case text(String)
    case binary([UInt8])

    /// Text as it reads; binary as lowercase hex (what ipmitool prints).
    public var display: String {
        switch self {
        case .text(let text): text
        case .binary(let bytes): bytes.map(hex).joined()
        }
    }

    /// Decodes the field's data by its type (bits 7:6 of the type/length byte).
    static func decode(type: UInt8, _ data: [UInt8]) -> FRUField {
        switch type {
        case 0: .binary(data)
        case 1: .text(bcdPlus(data))
        case 2: .text(sixBitASCII(data))
        default: .text(String(data.map { Character(Unicode.Scalar($0)) }))  // 8-bit ASCII + Latin-1
        }
    }

    /// BCD plus: two characters a byte, high nibble first ("0123456789 -." and, past the spec, ":,_" as
    /// ipmitool and OpenIPMI read the reserved values).
    static func bcdPlus(_ data: [UInt8]) -> String {
        let table = Array("0123456789 -.:,_")
        return String(data.flatMap { [table[Int($0 >> 4)], table[Int($0 & 0x0F)]] })
    }

    /// 6-bit packed ASCII: four characters in three bytes, least significant bits first, each plus 0x20. The
    /// bits left over at the end are padding, so trailing spaces are dropped.
    static func sixBitASCII(_ data: [UInt8]) -> String {
        var characters: [Character] = []
        var bits = 0
        var available = 0
        for byte in data {
            bits |= Int(byte) << available
            available += 8
            while available >= 6 {
                characters.append(Character(Unicode.Scalar(UInt8(bits & 0x3F) + 0x20)))
                bits >>= 6
                available -= 6
            }
        }
        while characters.last == " " { characters.removeLast() }
        return String(characters)
    }
}

/// An info area's bytes with their checks done: version 1, a length inside the image, a zero checksum; its
/// fields are read up to the end marker 0xC1, which must come before the checksum byte.
struct FRUAreaReader {
    private var reader: ByteReader
    private let name: String
    private let fieldsEnd: Int
    private var ended = false

    /// `bytes` starts at the area; the area's own length byte says how much of it belongs to the area.
    init(_ bytes: ArraySlice<UInt8>, name: String) throws {
        guard bytes.count >= 2 else { throw IPMIDecodingError("FRU \(name) area: cut off at its header") }
        let start = bytes.startIndex
        guard bytes[start] & 0x0F == 0x01 else {
            throw IPMIDecodingError("FRU \(name) area: format version \(bytes[start] & 0x0F), expected 1")
        }
        let length = Int(bytes[start + 1]) * 8
        guard length >= 8 else { throw IPMIDecodingError("FRU \(name) area: length 0") }
        guard length <= bytes.count else {
            throw IPMIDecodingError("FRU \(name) area: \(length) bytes long, only \(bytes.count) there")
        }
        let area = bytes[start..<start + length]
        guard area.reduce(0, &+) == 0 else { throw IPMIDecodingError("FRU \(name) area: bad checksum") }
        reader = ByteReader(area, what: "FRU \(name) area")
        _ = try reader.take(2)
        self.name = name
        fieldsEnd = length - 1
    }

    mutating func byte() throws -> UInt8 { try reader.byte() }

    mutating func take(_ count: Int) throws -> [UInt8] { try reader.take(count) }

    /// The next field, or nil once the end marker has been read (then every later call gives nil too).
    mutating func field() throws -> FRUField? {
        guard !ended else { return nil }
        guard reader.offset < fieldsEnd else { throw IPMIDecodingError("FRU \(name) area: no end marker (0xC1)") }
        let typeLength = try reader.byte()
        if typeLength == 0xC1 {
            ended = true
            return nil
        }
        let length = Int(typeLength & 0x3F)
        guard reader.offset + length <= fieldsEnd else {
            throw IPMIDecodingError("FRU \(name) area: a field of \(length) bytes runs past the area's end")
        }
        return FRUField.decode(type: typeLength >> 6, try reader.take(length))
    }

    /// The custom fields after the fixed ones, up to the end marker.
    mutating func remainingFields() throws -> [FRUField] {
        var fields: [FRUField] = []
        while let field = try field() { fields.append(field) }
        return fields
    }
}

/// The Board Info area (section 11): who made the board and when, its name, serial and part number.
public struct FRUBoardInfo: Equatable, Sendable {
    /// Minutes since 1996-01-01 00:00 UTC; nil when the field is zero ("unspecified").
    public var manufacturedMinutes: Int?
    public var manufacturer: FRUField?
    public var productName: FRUField?
    public var serialNumber: FRUField?
    public var partNumber: FRUField?
    public var fruFileID: FRUField?
    public var custom: [FRUField]

    /// `bytes` from the area's first byte on (more may follow; the area's length byte bounds it).
    public init(decoding bytes: ArraySlice<UInt8>) throws {
        var area = try FRUAreaReader(bytes, name: "board")
        _ = try area.byte()  // language code
        let date = try area.take(3)
        let minutes = Int(date[0]) | Int(date[1]) << 8 | Int(date[2]) << 16
        manufacturedMinutes = minutes == 0 ? nil : minutes
        manufacturer = try area.field()
        productName = try area.field()
        serialNumber = try area.field()
        partNumber = try area.field()
        fruFileID = try area.field()
        custom = try area.remainingFields()
    }

    /// "2024-01-03 04:00 UTC" (the FRU epoch is 1996-01-01 00:00 UTC).
    public var manufactured: String? {
        manufacturedMinutes.map(FRUDate.text(minutes:))
    }
}

/// The Product Info area (section 12): the product's maker, name, model, version, serial and asset tag.
public struct FRUProductInfo: Equatable, Sendable {
    public var manufacturer: FRUField?
    public var name: FRUField?
    public var partNumber: FRUField?
    public var version: FRUField?
    public var serialNumber: FRUField?
    public var assetTag: FRUField?
    public var fruFileID: FRUField?
    public var custom: [FRUField]

    public init(decoding bytes: ArraySlice<UInt8>) throws {
        var area = try FRUAreaReader(bytes, name: "product")
        _ = try area.byte()  // language code
        manufacturer = try area.field()
        name = try area.field()
        partNumber = try area.field()
        version = try area.field()
        serialNumber = try area.field()
        assetTag = try area.field()
        fruFileID = try area.field()
        custom = try area.remainingFields()
    }
}

/// What a FRU image says about the board and the product (the areas rinv shows); others are skipped.
public struct FRUInventory: Equatable, Sendable {
    public var board: FRUBoardInfo?
    public var product: FRUProductInfo?

    public init(board: FRUBoardInfo?, product: FRUProductInfo?) {
        self.board = board
        self.product = product
    }

    /// A whole image: its common header, then the board and product areas it points at.
    public init(decoding image: [UInt8]) throws {
        let header = try FRUCommonHeader(decoding: image)
        board = try header.boardOffset.map { try FRUBoardInfo(decoding: try Self.slice(image, from: $0, "board")) }
        product = try header.productOffset.map {
            try FRUProductInfo(decoding: try Self.slice(image, from: $0, "product"))
        }
    }

    private static func slice(_ image: [UInt8], from offset: Int, _ name: String) throws -> ArraySlice<UInt8> {
        guard offset < image.count else {
            throw IPMIDecodingError("FRU \(name) area: offset \(offset) is past the image's \(image.count) bytes")
        }
        return image[offset...]
    }

    /// Named values for an inventory listing, empty fields left out: "board manufacturer", "product serial", …
    public var items: [(key: String, value: String)] {
        var items: [(key: String, value: String)] = []
        func add(_ key: String, _ field: FRUField?) {
            guard let text = field?.display.trimmingTrailingSpaces, !text.isEmpty else { return }
            items.append((key, text))
        }
        if let board {
            add("board manufacturer", board.manufacturer)
            add("board product", board.productName)
            add("board serial", board.serialNumber)
            add("board part number", board.partNumber)
            if let date = board.manufactured { items.append(("board manufactured", date)) }
        }
        if let product {
            add("product manufacturer", product.manufacturer)
            add("product name", product.name)
            add("product part number", product.partNumber)
            add("product version", product.version)
            add("product serial", product.serialNumber)
            add("product asset tag", product.assetTag)
        }
        return items
    }
}

/// FRU manufacturing dates: minutes since 1996-01-01 00:00 UTC, written as a UTC date and time.
enum FRUDate {
    static func text(minutes: Int) -> String {
        // Days since 1970-01-01 (1996-01-01 is day 9496), then the civil date (Howard Hinnant's days_from_civil
        // inverse).
        let days = 9496 + minutes / 1440
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        let minuteOfDay = minutes % 1440
        return "\(year)-\(two(month))-\(two(day)) \(two(minuteOfDay / 60)):\(two(minuteOfDay % 60)) UTC"
    }

    private static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}

extension String {
    /// Vendors pad FRU text with spaces and NULs to a fixed width.
    var trimmingTrailingSpaces: String {
        var characters = Substring(self)
        while let last = characters.last, last == " " || last == "\0" { characters.removeLast() }
        return String(characters)
    }
}
