import ByteOrder
import Testing
@testable import IPMI

/// A BMC's SDR repository, answered from `records` (record ID → its bytes, the next ID after it), with each Get
/// SDR answer's bytes passed through `shape` (offset asked, count asked, bytes the record has there) so a test
/// can make them short, long or empty. Every request is recorded.
private final class ScriptedSDR: IPMICommandSender {
    let records: [UInt16: (bytes: [UInt8], next: UInt16)]
    let shape: (_ offset: Int, _ count: Int, _ bytes: [UInt8]) -> [UInt8]
    private(set) var requests: [IPMIRequest] = []

    init(_ records: [UInt16: (bytes: [UInt8], next: UInt16)],
         shape: @escaping (Int, Int, [UInt8]) -> [UInt8] = { _, _, bytes in bytes }) {
        self.records = records
        self.shape = shape
    }

    func send(_ request: IPMIRequest) throws -> IPMIResponse {
        requests.append(request)
        func answer(_ code: UInt8, _ data: [UInt8]) -> IPMIResponse {
            IPMIResponse(netFunction: request.netFunction | 1, command: request.command, sequence: 0,
                         completionCode: code, data: data)
        }
        switch (request.netFunction, request.command) {
        case (0x0A, 0x22):
            return answer(0, [0x34, 0x12])
        case (0x0A, 0x23):
            let id = LittleEndian.uint16(request.data, at: 2)
            guard let record = records[id] else { return answer(0xCB, []) }
            let offset = Int(request.data[4]), count = Int(request.data[5])
            let there = Array(record.bytes.dropFirst(offset).prefix(count))
            return answer(0, LittleEndian.bytes(record.next) + shape(offset, count, there))
        case (0x04, 0x2D):
            return answer(0, [0x60, 0xC0, 0x00])
        default:
            return answer(0xC1, [])
        }
    }
}

/// The SDR walk takes whatever a BMC answers: short, long, empty or endless pieces end it with a failure that
/// says so, never a trap (`netroot power sensors` runs every node's walk in one process).
@Suite struct SDRWalkTests {
    static let record = SensorCodecTests.record

    /// A record header saying `length` body bytes, then that many bytes.
    static func longRecord(bodyLength: UInt8) -> [UInt8] {
        [0x02, 0x00, 0x51, 0x02, bodyLength] + [UInt8](repeating: 0x41, count: Int(bodyLength))
    }

    @Test func aWellFormedRepositoryIsReadInSixteenBytePieces() throws {
        let bmc = ScriptedSDR([0: (Self.record, 0xFFFF)])
        let found = try SDRWalk.readSensors(from: bmc)
        #expect(found.map(\.record.name) == ["DJtemp"])
        #expect(found.first?.reading?.raw == 0x60)
        // The header, then 49 body bytes in 16, 16, 16 and 1.
        let pieces = bmc.requests.filter { $0.command == 0x23 }.map { [$0.data[4], $0.data[5]] }
        #expect(pieces == [[0, 5], [5, 16], [21, 16], [37, 16], [53, 1]])
    }

    @Test func shortPiecesOfTheLongestRecordFailPastOffset255() {
        // A 260-byte record (length byte 0xFF) given one byte a piece: offset 256 cannot be asked for in Get SDR's
        // one-byte offset. The walk before this fix computed UInt8(256) there and trapped.
        let bmc = ScriptedSDR([0: (Self.longRecord(bodyLength: 0xFF), 0xFFFF)]) { offset, _, bytes in
            offset == 0 ? bytes : Array(bytes.prefix(1))
        }
        #expect(throws: IPMIDecodingError("Get SDR: record 0x0000 is 260 bytes; its pieces were too short to reach "
                                          + "its end at one-byte offsets")) {
            try SDRWalk.readSensors(from: bmc)
        }
    }

    @Test func aPieceLongerThanAskedIsCutToWhatWasAsked() throws {
        // 200 bytes back for every 16 asked: taken as 16, so the offsets stay the record's and in range.
        let long = ScriptedSDR([0: (Self.record, 0xFFFF)]) { _, _, bytes in bytes + [UInt8](repeating: 0xEE, count: 200) }
        #expect(try SDRWalk.readSensors(from: long).map(\.record) == [try FullSensorRecord(decoding: Self.record)])
        let longest = ScriptedSDR([0: (Self.longRecord(bodyLength: 0xFF), 0xFFFF)]) { _, _, bytes in
            bytes + [UInt8](repeating: 0xEE, count: 251)
        }
        #expect(try SDRWalk.readSensors(from: longest).isEmpty)  // not a full sensor record: skipped, no trap
    }

    @Test func shortHeadersEmptyPiecesAndRefusalsAreFailures() {
        let shortHeader = ScriptedSDR([0: (Self.record, 0xFFFF)]) { offset, _, bytes in offset == 0 ? Array(bytes.prefix(3)) : bytes }
        #expect(throws: IPMIDecodingError("Get SDR: a record header of 3 bytes, needs 5")) {
            try SDRWalk.readSensors(from: shortHeader)
        }
        let empty = ScriptedSDR([0: (Self.record, 0xFFFF)]) { offset, _, bytes in offset == 0 ? bytes : [] }
        #expect(throws: IPMIDecodingError("Get SDR: an empty piece of record 0x0000 at offset 5")) {
            try SDRWalk.readSensors(from: empty)
        }
        // Answers with no next-record ID at all (fewer than two data bytes).
        final class Mute: IPMICommandSender {
            func send(_ request: IPMIRequest) throws -> IPMIResponse {
                IPMIResponse(netFunction: 0x0B, command: request.command, sequence: 0, completionCode: 0,
                             data: request.command == 0x22 ? [1, 0] : [7])
            }
        }
        #expect(throws: IPMIDecodingError.self) { try SDRWalk.readSensors(from: Mute()) }
    }

    @Test func aRepositoryThatLoopsOrNeverEndsStops() throws {
        // Record 0 says the next is 0 again: read once.
        let loop = ScriptedSDR([0: (Self.record, 0)])
        #expect(try SDRWalk.readSensors(from: loop).count == 1)
        // Every ID leads to the next one: the walk stops at its record limit.
        let endless = (0...40).reduce(into: [UInt16: (bytes: [UInt8], next: UInt16)]()) { $0[UInt16($1)] = (Self.record, UInt16($1 + 1)) }
        #expect(throws: IPMIDecodingError("Get SDR: more than 30 records (the repository does not end)")) {
            try SDRWalk.readSensors(from: ScriptedSDR(endless), recordLimit: 30)
        }
    }

    @Test func everyShapeOfAnswerIsAFailureOrAResultNeverATrap() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let bodyLength = UInt8.random(in: 0...255, using: &generator)
            let cut = Int.random(in: 0...20, using: &generator)
            let extra = Int.random(in: 0...300, using: &generator)
            let bmc = ScriptedSDR([0: (Self.longRecord(bodyLength: bodyLength), 0xFFFF)]) { offset, _, bytes in
                offset == 0 ? bytes : Array(bytes.prefix(cut)) + [UInt8](repeating: 1, count: extra % 3 == 0 ? extra : 0)
            }
            _ = try? SDRWalk.readSensors(from: bmc)
        }
    }
}
