/// Sends one IPMI command to a BMC and returns its response, whatever the completion code (the caller judges
/// it). The UDP session runner is one; a test or the fuzz target answers from a script.
public protocol IPMICommandSender {
    func send(_ request: IPMIRequest) throws -> IPMIResponse
}

/// One full sensor record from the BMC's SDR repository and its current reading (nil when the BMC has none).
public struct SensorRecordReading: Sendable, Equatable {
    public var record: FullSensorRecord
    public var reading: SensorReading?

    public init(record: FullSensorRecord, reading: SensorReading?) {
        self.record = record
        self.reading = reading
    }
}

/// Walks the SDR repository (pure but for the sender): each record's 5-byte header, then its body in pieces of
/// at most 16 bytes (what every BMC accepts); full sensor records are read with Get Sensor Reading, other record
/// types are skipped. Every answer is the BMC's to choose, so every length and offset is checked: a short, long,
/// empty or looping answer ends the walk with `IPMIDecodingError` or `SessionError.completion`, never a trap.
public enum SDRWalk {
    /// Records read at most: a repository that never says "last record" (0xFFFF) ends here.
    public static let recordLimit = 1_024
    public static func readSensors(from bmc: some IPMICommandSender, pieceSize: Int = 16,
                                   recordLimit: Int = SDRWalk.recordLimit) throws -> [SensorRecordReading] {
        let piece = max(1, min(pieceSize, Int(UInt8.max)))
        let reservation = try SDRRepository.reservation(decoding: checked(bmc, SDRRepository.reserve))
        var found: [SensorRecordReading] = []
        var recordID: UInt16 = 0
        var visited = Set<UInt16>()
        while recordID != 0xFFFF, visited.insert(recordID).inserted {
            guard visited.count <= recordLimit else {
                throw IPMIDecodingError("Get SDR: more than \(recordLimit) records (the repository does not end)")
            }
            let first = try bmc.send(SDRRepository.get(reservation: reservation, recordID: recordID, offset: 0, count: 5))
            // An empty repository answers the first read with "record not present".
            if recordID == 0, first.completionCode == 0xCB { break }
            guard first.completionCode == 0 else {
                throw SessionError.completion(stage: "Get SDR", code: first.completionCode)
            }
            let header = try SDRRepository.record(decoding: first.data)
            guard header.bytes.count >= 5 else {
                throw IPMIDecodingError("Get SDR: a record header of \(header.bytes.count) bytes, needs 5")
            }
            // What was asked for and no more: a longer answer is cut.
            var record = Array(header.bytes.prefix(5))
            let length = 5 + Int(record[4])
            while record.count < length {
                guard let offset = UInt8(exactly: record.count) else {
                    throw IPMIDecodingError("Get SDR: record 0x\(hex16(recordID)) is \(length) bytes; its pieces "
                                            + "were too short to reach its end at one-byte offsets")
                }
                let wanted = min(piece, length - record.count)
                let request = SDRRepository.get(reservation: reservation, recordID: recordID, offset: offset,
                                                count: UInt8(wanted))
                let bytes = try SDRRepository.record(decoding: checked(bmc, request)).bytes
                guard !bytes.isEmpty else {
                    throw IPMIDecodingError("Get SDR: an empty piece of record 0x\(hex16(recordID)) at offset \(offset)")
                }
                record += bytes.prefix(wanted)
            }
            if let sensor = try? FullSensorRecord(decoding: record) {
                let answer = try bmc.send(SensorReading.request(sensorNumber: sensor.sensorNumber))
                let reading = answer.completionCode == 0 ? try? SensorReading(decoding: answer.data) : nil
                found.append(SensorRecordReading(record: sensor, reading: reading))
            }
            recordID = header.next
        }
        return found
    }

    /// The response's data; a completion code other than "normal" throws, named.
    static func checked(_ bmc: some IPMICommandSender, _ request: IPMIRequest) throws -> [UInt8] {
        let response = try bmc.send(request)
        guard response.completionCode == 0 else {
            throw SessionError.completion(stage: request.name, code: response.completionCode)
        }
        return response.data
    }

    private static func hex16(_ value: UInt16) -> String {
        hex(UInt8(value >> 8)) + hex(UInt8(value & 0xFF))
    }
}

/// Reads a FRU device's board and product areas through a sender (pure but for the sender), as ipmitool does:
/// the common header, each area's two-byte header for its length, then the rest of the area, in pieces of at most
/// `pieceSize` bytes. Every offset and count comes from the BMC's answers and is bounded by the device's size.
public enum FRUDeviceRead {
    /// The board and product areas of FRU device `device` (0 is the BMC's own, the system board); nil when the
    /// BMC has no such device. A FRU image that does not decode throws `IPMIDecodingError`; a refused read throws
    /// `SessionError.completion`.
    public static func inventory(from bmc: some IPMICommandSender, device: UInt8 = 0,
                                 pieceSize: Int = 32) throws -> FRUInventory? {
        let answer = try bmc.send(FRUInventoryAreaInfo.request(device: device))
        if FRUInventoryAreaInfo.absentCodes.contains(answer.completionCode) { return nil }
        guard answer.completionCode == 0 else {
            throw SessionError.completion(stage: "Get FRU Inventory Area Info", code: answer.completionCode)
        }
        let info = try FRUInventoryAreaInfo(decoding: answer.data)
        guard info.size >= FRUCommonHeader.length else { return nil }
        var piece = pieceSize
        // One span; a refusal of a large piece shrinks it for every later span too.
        func read(_ offset: Int, _ count: Int) throws -> [UInt8] {
            var reader = FRUSpanReader(device: device, info: info, offset: offset, count: count, pieceSize: piece)
            while let request = reader.nextRequest { try reader.receive(bmc.send(request)) }
            piece = reader.pieceSize
            return reader.bytes
        }
        func area(at offset: Int?) throws -> ArraySlice<UInt8>? {
            guard let offset else { return nil }
            let head = try read(offset, 2)
            guard head.count == 2 else {
                throw IPMIDecodingError("FRU area at offset \(offset) is past the device's \(info.size) bytes")
            }
            // The length byte counts 8-byte multiples, the two header bytes included (0 is refused by the decoder).
            return (head + (try read(offset + 2, max(0, Int(head[1]) * 8 - 2))))[...]
        }
        let header = try FRUCommonHeader(decoding: read(0, FRUCommonHeader.length))
        return FRUInventory(board: try area(at: header.boardOffset).map { try FRUBoardInfo(decoding: $0) },
                            product: try area(at: header.productOffset).map { try FRUProductInfo(decoding: $0) })
    }
}
