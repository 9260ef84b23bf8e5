import ByteOrder

/// Get FRU Inventory Area Info (Storage 0x10): how big a FRU device is and whether it is read in words.
public struct FRUInventoryAreaInfo: Equatable, Sendable {
    public static func request(device: UInt8 = 0) -> IPMIRequest {
        IPMIRequest(netFunction: 0x0A, command: 0x10, data: [device])
    }

    /// Completion codes that mean "this BMC has no such FRU device" rather than a failure: not present (0xCB),
    /// no FRU commands at all (0xC1, pyghmi's fakebmc), and ipmi_sim's answer for a device it lacks (0xCC).
    public static let absentCodes: Set<UInt8> = [0xC1, 0xCB, 0xCC]

    /// The device's size in bytes.
    public var size: Int
    /// Offsets and counts go in 16-bit words instead of bytes (access type bit 0).
    public var accessByWords: Bool

    public init(size: Int, accessByWords: Bool = false) {
        self.size = size
        self.accessByWords = accessByWords
    }

    public init(decoding data: [UInt8]) throws {
        guard data.count >= 3 else {
            throw IPMIDecodingError("Get FRU Inventory Area Info: \(data.count) data bytes, needs 3")
        }
        size = Int(LittleEndian.uint16(data, at: 0))
        accessByWords = data[2] & 0x01 != 0
    }
}

/// Read FRU Data (Storage 0x11): `count` units (bytes, or words) from `offset` (in the same units).
public enum FRUData {
    public static func request(device: UInt8 = 0, offset: UInt16, count: UInt8) -> IPMIRequest {
        IPMIRequest(netFunction: 0x0A, command: 0x11, data: [device] + LittleEndian.bytes(offset) + [count])
    }

    /// The bytes of a response: a count (in the device's units), then that many units.
    public static func bytes(decoding data: [UInt8], accessByWords: Bool = false) throws -> [UInt8] {
        guard let count = data.first else { throw IPMIDecodingError("Read FRU Data: no count byte") }
        let length = Int(count) * (accessByWords ? 2 : 1)
        guard data.count - 1 >= length else {
            throw IPMIDecodingError("Read FRU Data: says \(length) bytes, carries \(data.count - 1)")
        }
        return Array(data[1..<(1 + length)])
    }
}

/// Reads one span of a FRU device in pieces of at most `pieceSize` bytes (some BMCs refuse more than 32 in one
/// response), halving the piece when the BMC answers that it asked for too much (0xC7, 0xC8, 0xCA), as ipmitool
/// does. Pure: the caller sends `nextRequest` and hands back the response.
public struct FRUSpanReader: Sendable {
    /// The completion codes by which BMCs say "fewer bytes per read".
    public static let tooLargeCodes: Set<UInt8> = [0xC7, 0xC8, 0xCA]

    public let device: UInt8
    public let info: FRUInventoryAreaInfo
    /// The piece size now; hand it to the next span's reader so a BMC refuses a large read only once.
    public private(set) var pieceSize: Int
    /// What has been read so far, from the span's start.
    public private(set) var bytes: [UInt8] = []
    private let start: Int
    private let end: Int

    /// `offset` and `count` in bytes; a span past the device's end is cut at the end.
    public init(device: UInt8 = 0, info: FRUInventoryAreaInfo, offset: Int, count: Int, pieceSize: Int = 32) {
        self.device = device
        self.info = info
        self.pieceSize = max(1, min(pieceSize, 255))
        start = max(0, offset)
        end = max(start, min(offset + count, info.size))
    }

    public var isComplete: Bool { start + bytes.count >= end }

    /// The next Read FRU Data to send; nil once the span is read.
    public var nextRequest: IPMIRequest? {
        guard !isComplete else { return nil }
        let position = start + bytes.count
        let wanted = min(pieceSize, end - position)
        if info.accessByWords {
            // Words: an even offset and at least one word (the odd tail byte comes with its word and is cut).
            return FRUData.request(device: device, offset: UInt16(clamping: position / 2),
                                   count: UInt8(clamping: max(1, (wanted + 1) / 2)))
        }
        return FRUData.request(device: device, offset: UInt16(clamping: position), count: UInt8(clamping: wanted))
    }

    /// Takes the BMC's answer to `nextRequest`: appends the bytes, or shrinks the piece and lets the same
    /// request go again smaller; any other refusal, or a read that makes no progress, throws.
    public mutating func receive(_ response: IPMIResponse) throws {
        if Self.tooLargeCodes.contains(response.completionCode), pieceSize > 1 {
            pieceSize /= 2
            return
        }
        guard response.completionCode == 0 else {
            throw SessionError.completion(stage: "Read FRU Data", code: response.completionCode)
        }
        var piece = try FRUData.bytes(decoding: response.data, accessByWords: info.accessByWords)
        // A word-access device answered from the word holding our odd position: drop the byte before it.
        if info.accessByWords, (start + bytes.count) % 2 == 1, !piece.isEmpty { piece.removeFirst() }
        guard !piece.isEmpty else {
            throw IPMIDecodingError("Read FRU Data: no bytes at offset \(start + bytes.count) of \(info.size)")
        }
        bytes += piece.prefix(end - start - bytes.count)
    }
}
