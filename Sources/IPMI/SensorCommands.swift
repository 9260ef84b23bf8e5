import ByteOrder
import Foundation

/// The SDR repository commands (Storage netfn 0x0A) that walk the sensor records.
public enum SDRRepository {
    /// Reserve SDR Repository (0x22): a reservation ID that partial reads must quote.
    public static let reserve = IPMIRequest(netFunction: 0x0A, command: 0x22)

    /// Get SDR (0x23): `count` bytes of record `recordID` from `offset` (0xFF reads the whole record).
    public static func get(reservation: UInt16, recordID: UInt16, offset: UInt8, count: UInt8) -> IPMIRequest {
        IPMIRequest(netFunction: 0x0A, command: 0x23,
                    data: LittleEndian.bytes(reservation) + LittleEndian.bytes(recordID) + [offset, count])
    }

    /// The reservation ID in a Reserve SDR Repository response.
    public static func reservation(decoding data: [UInt8]) throws -> UInt16 {
        guard data.count >= 2 else { throw IPMIDecodingError("Reserve SDR Repository: \(data.count) data bytes") }
        return LittleEndian.uint16(data, at: 0)
    }

    /// A Get SDR response: the next record's ID (0xFFFF after the last) and the bytes read.
    public static func record(decoding data: [UInt8]) throws -> (next: UInt16, bytes: [UInt8]) {
        guard data.count >= 2 else { throw IPMIDecodingError("Get SDR: \(data.count) data bytes") }
        return (LittleEndian.uint16(data, at: 0), Array(data[2...]))
    }
}

/// A Full Sensor Record (SDR type 0x01, IPMI 2.0 table 43-1): what a sensor measures and how to convert it.
public struct FullSensorRecord: Equatable, Sendable {
    public var recordID: UInt16
    public var ownerID: UInt8
    public var sensorNumber: UInt8
    public var entityID: UInt8
    /// IPMI sensor type: 0x01 temperature, 0x02 voltage, 0x04 fan, 0x08 power supply, …
    public var sensorType: UInt8
    public var readingType: UInt8
    /// Analog data format: 0 unsigned, 1 one's complement, 2 two's complement, 3 no analog reading.
    public var analogFormat: UInt8
    public var baseUnit: UInt8
    /// Linearization: 0 is linear (the only one `value(of:)` converts).
    public var linearization: UInt8
    public var m: Int
    public var b: Int
    public var bExponent: Int
    public var resultExponent: Int
    /// Raw thresholds that the record marks readable, by name ("upper critical", …).
    public var thresholds: [String: UInt8]
    public var name: String

    /// The record from its header on (5 header bytes, then the body). Other record types throw.
    public init(decoding bytes: [UInt8]) throws {
        guard bytes.count >= 48, bytes[3] == 0x01 else {
            throw IPMIDecodingError("not a full sensor record (\(bytes.count) bytes, type \(bytes.count > 3 ? bytes[3] : 0))")
        }
        recordID = LittleEndian.uint16(bytes, at: 0)
        ownerID = bytes[5]
        sensorNumber = bytes[7]
        entityID = bytes[8]
        sensorType = bytes[12]
        readingType = bytes[13]
        analogFormat = bytes[20] >> 6
        baseUnit = bytes[21]
        linearization = bytes[23] & 0x7F
        m = Self.signed(Int(bytes[24]) | Int(bytes[25] >> 6) << 8, bits: 10)
        b = Self.signed(Int(bytes[26]) | Int(bytes[27] >> 6) << 8, bits: 10)
        resultExponent = Self.signed(Int(bytes[29] >> 4), bits: 4)
        bExponent = Self.signed(Int(bytes[29] & 0x0F), bits: 4)
        // Readable thresholds: bits 13:8 of the mask at bytes 18-19 (lower NC, C, NR, upper NC, C, NR).
        let readable = bytes[18]
        let names = ["lower non-critical", "lower critical", "lower non-recoverable",
                     "upper non-critical", "upper critical", "upper non-recoverable"]
        let positions = [41, 40, 39, 38, 37, 36]
        thresholds = [:]
        if readingType == 0x01 {
            for bit in 0..<6 where readable & (1 << bit) != 0 { thresholds[names[bit]] = bytes[positions[bit]] }
        }
        let typeLength = bytes[47]
        let length = min(Int(typeLength & 0x1F), bytes.count - 48)
        name = String(decoding: bytes[48..<(48 + length)], as: UTF8.self)
    }

    /// y = (M·x + B·10^Bexp) · 10^Rexp for a linear sensor; nil when the record gives no analog conversion.
    public func value(of raw: UInt8) -> Double? {
        guard linearization == 0, analogFormat != 3 else { return nil }
        let x: Int = switch analogFormat {
        case 1: raw & 0x80 != 0 ? -Int(~raw) : Int(raw)
        case 2: Int(Int8(bitPattern: raw))
        default: Int(raw)
        }
        return (Double(m * x) + Double(b) * pow(10, Double(bExponent))) * pow(10, Double(resultExponent))
    }

    /// The unit's name for the common base unit codes (IPMI 2.0 table 43-15).
    public var unit: String {
        switch baseUnit {
        case 1: "degrees C"
        case 2: "degrees F"
        case 4: "Volts"
        case 5: "Amps"
        case 6: "Watts"
        case 18: "RPM"
        default: "unit \(baseUnit)"
        }
    }

    private static func signed(_ value: Int, bits: Int) -> Int {
        value & (1 << (bits - 1)) != 0 ? value - (1 << bits) : value
    }
}

/// Get Sensor Reading (Sensor/Event netfn 0x04, command 0x2D).
public struct SensorReading: Equatable, Sendable {
    public static func request(sensorNumber: UInt8) -> IPMIRequest {
        IPMIRequest(netFunction: 0x04, command: 0x2D, data: [sensorNumber])
    }

    public var raw: UInt8
    /// False when the BMC says the reading is unavailable or scanning is disabled.
    public var isAvailable: Bool
    /// Threshold comparison bits: 0 below lower NC … 5 above upper NR (zero when absent).
    public var thresholdStatus: UInt8

    public init(decoding data: [UInt8]) throws {
        guard data.count >= 2 else { throw IPMIDecodingError("Get Sensor Reading: \(data.count) data bytes, needs 2") }
        raw = data[0]
        isAvailable = data[1] & 0x20 == 0 && data[1] & 0x40 != 0
        thresholdStatus = data.count > 2 ? data[2] & 0x3F : 0
    }
}
