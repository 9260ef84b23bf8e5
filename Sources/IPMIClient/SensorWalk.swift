import IPMI

/// One full sensor record from the BMC's SDR repository and its current reading (nil when the BMC has none).
public struct SensorRecordReading: Sendable {
    public var record: FullSensorRecord
    public var reading: SensorReading?
}

extension UDPSessionRunner {
    /// The response's data; a completion code other than "normal" throws, named.
    public func checkedSend(_ request: IPMIRequest) throws -> [UInt8] {
        let response = try send(request)
        guard response.completionCode == 0 else {
            throw IPMIClientError.session(.completion(stage: request.name, code: response.completionCode))
        }
        return response.data
    }

    /// Walks the SDR repository: each record's 5-byte header, then its body in 16-byte pieces (what every BMC
    /// accepts); full sensor records are read with Get Sensor Reading, other record types are skipped.
    public func readSensors() throws -> [SensorRecordReading] {
        let reservation = try SDRRepository.reservation(decoding: checkedSend(SDRRepository.reserve))
        var found: [SensorRecordReading] = []
        var recordID: UInt16 = 0
        var visited = Set<UInt16>()
        while recordID != 0xFFFF, visited.insert(recordID).inserted {
            let first = try send(SDRRepository.get(reservation: reservation, recordID: recordID, offset: 0, count: 5))
            // An empty repository answers the first read with "record not present".
            if recordID == 0, first.completionCode == 0xCB { break }
            guard first.completionCode == 0 else {
                throw IPMIClientError.session(.completion(stage: "Get SDR", code: first.completionCode))
            }
            let header = try SDRRepository.record(decoding: first.data)
            guard header.bytes.count == 5 else { throw IPMIClientError.unexpected("a short SDR header") }
            let length = 5 + Int(header.bytes[4])
            var record = header.bytes
            while record.count < length {
                let request = SDRRepository.get(reservation: reservation, recordID: recordID,
                                                offset: UInt8(record.count), count: UInt8(min(16, length - record.count)))
                let piece = try SDRRepository.record(decoding: checkedSend(request)).bytes
                guard !piece.isEmpty else { throw IPMIClientError.unexpected("an empty SDR read") }
                record += piece
            }
            if let sensor = try? FullSensorRecord(decoding: record) {
                let answer = try send(SensorReading.request(sensorNumber: sensor.sensorNumber))
                let reading = answer.completionCode == 0 ? try? SensorReading(decoding: answer.data) : nil
                found.append(SensorRecordReading(record: sensor, reading: reading))
            }
            recordID = header.next
        }
        return found
    }
}
