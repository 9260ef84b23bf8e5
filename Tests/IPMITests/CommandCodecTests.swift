import ByteOrder
import Testing
@testable import IPMI

@Suite struct CommandCodecTests {
    @Test func lanRequestFramingAndChecksums() {
        // Get Chassis Status, rqSeq 5: 20 00 e0 | 81 14 01 | 6a (both sums are zero).
        let bytes = LANMessage.encode(ChassisStatus.request, sequence: 5)
        #expect(bytes == [0x20, 0x00, 0xE0, 0x81, 0x14, 0x01, 0x6A])
        #expect(bytes[0..<3].reduce(0, &+) == 0 && bytes[3...].reduce(0, &+) == 0)
    }

    @Test func lanResponseWithBadChecksumsIsRefused() {
        var good = lanResponse(netFunction: 0x00, command: 0x01, sequence: 5, data: [1, 0, 0])
        #expect(throws: Never.self) { try LANMessage.decodeResponse(good) }
        good[2] &+= 1
        #expect(throws: IPMIDecodingError.self) { try LANMessage.decodeResponse(good) }
        var data = lanResponse(netFunction: 0x00, command: 0x01, sequence: 5, data: [1, 0, 0])
        data[7] ^= 0x01
        #expect(throws: IPMIDecodingError.self) { try LANMessage.decodeResponse(data) }
    }

    @Test func chassisControlValues() {
        #expect(ChassisControl.allCases.map { $0.request.data } == [[0], [1], [2], [3], [4], [5]])
        #expect(ChassisControl.powerOn.request.netFunction == 0x00 && ChassisControl.powerOn.request.command == 0x02)
    }

    /// xCAT's order: parameter 3 (keep the boot-flag valid bit past the 60 s timer), then parameter 5.
    @Test func bootOverrideWritesParameter3ThenBootFlags() {
        #expect(BootOverride(device: .pxe).requests.map(\.data) == [[0x03, 0x08], [0x05, 0x80, 0x04, 0, 0, 0]])
        #expect(BootOverride(device: .disk, persistent: true).requests[1].data == [0x05, 0xC0, 0x08, 0, 0, 0])
        #expect(BootOverride(device: .biosSetup, uefi: true).requests[1].data == [0x05, 0xA0, 0x18, 0, 0, 0])
        #expect(BootOverride(device: .pxe, persistent: true, uefi: true).requests[1].data[1] == 0xE0)
        #expect(BootOverride(device: .pxe).requests.allSatisfy { $0.netFunction == 0 && $0.command == 0x08 })
    }

    @Test func chassisStatusBits() throws {
        let status = try ChassisStatus(decoding: [0b0101_1001, 0x10, 0x00])
        #expect(status.isPowerOn && status.mainPowerFault && status.powerControlFault && !status.powerOverload)
        #expect(status.restorePolicy == 2)
        #expect(throws: IPMIDecodingError.self) { try ChassisStatus(decoding: [1, 0]) }
    }

    /// ipmi_sim's `mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02` as Get Device ID reports it.
    @Test func deviceIDOfIpmiSim() throws {
        let id = try DeviceID(decoding: [0x00, 0x03, 0x09, 0x08, 0x02, 0x9F, 0x91, 0x12, 0x00, 0x02, 0x0F])
        #expect(id.firmwareRevision == "9.08" && id.ipmiVersion == "2.0")
        #expect(id.manufacturerID == 4753 && id.productID == 0x0F02 && id.isAvailable && id.deviceRevision == 3)
        #expect(throws: IPMIDecodingError.self) { try DeviceID(decoding: [0, 3, 9]) }
    }

    /// ipmitool prints ipmi_sim's GUID a123456789abcdef… as efcdab89-6745-23a1-efcd-ab89674523a1.
    @Test func systemGUIDTextMatchesIpmitool() throws {
        let guid = try SystemGUID(decoding: bytesFromHex("a123456789abcdefa123456789abcdef"))
        #expect(guid.text == "efcdab89-6745-23a1-efcd-ab89674523a1")
    }

    @Test func closeSessionCarriesTheBMCSessionIDLittleEndian() {
        #expect(SessionCommand.close(bmcSessionID: 0x0A0B_0C0D).data == [0x0D, 0x0C, 0x0B, 0x0A])
        #expect(LittleEndian.uint32([0x0D, 0x0C, 0x0B, 0x0A], at: 0) == 0x0A0B_0C0D)
        #expect(LittleEndian.uint16([0x34, 0x12], at: 0) == 0x1234 && LittleEndian.bytes(UInt16(0x1234)) == [0x34, 0x12])
    }

    @Test func confidentialityPadRoundTripsEveryLength() throws {
        let keys = Captures.exchange.keys
        for length in 0..<40 {
            let plain = (0..<length).map { UInt8($0) }
            let sealed = try keys.encrypt(plain, iv: Array(repeating: 7, count: 16))
            #expect(sealed.count % 16 == 0 && sealed.count >= 32)
            #expect(try keys.decrypt(sealed) == plain)
        }
    }
}

@Suite struct SensorCodecTests {
    /// The temperature sensor record of OpenIPMI's example ipmisim1.emu (owner 0x20, sensor 1, "DJtemp",
    /// M=1, B=0, upper thresholds 0xa0/0x90/0x70).
    static let record = bytesFromHex(
        "00005101312000010301678801" + "01c00fc07f3838" + "00010000010000000000" + "0360b000b000a09070"
        + "0000000000000000" + "c6" + "444a74656d70")

    @Test func fullSensorRecordOfIpmiSimsExample() throws {
        let record = try FullSensorRecord(decoding: Self.record)
        #expect(record.sensorNumber == 1 && record.ownerID == 0x20 && record.sensorType == 0x01)
        #expect(record.name == "DJtemp" && record.unit == "degrees C")
        #expect(record.m == 1 && record.b == 0 && record.resultExponent == 0)
        #expect(record.thresholds == ["upper non-critical": 0x70, "upper critical": 0x90, "upper non-recoverable": 0xA0])
        #expect(record.value(of: 0x60) == 96)
    }

    @Test func conversionWithSignedFactorsAndExponents() throws {
        var bytes = Self.record
        bytes[24] = 0x05; bytes[25] = 0xC0  // M = 0x305 → -251 as 10-bit signed
        bytes[26] = 0x02; bytes[29] = 0xE1  // B = 2, Rexp = -2, Bexp = 1
        let record = try FullSensorRecord(decoding: bytes)
        #expect(record.m == -251 && record.b == 2 && record.resultExponent == -2 && record.bExponent == 1)
        #expect(abs(record.value(of: 10)! - (-2510 + 20) / 100.0) < 1e-9)
    }

    @Test func shortOrOtherRecordsAreRefused() {
        #expect(throws: IPMIDecodingError.self) { try FullSensorRecord(decoding: Array(Self.record.prefix(40))) }
        var compact = Self.record
        compact[3] = 0x02
        #expect(throws: IPMIDecodingError.self) { try FullSensorRecord(decoding: compact) }
        for length in 0..<Self.record.count { _ = try? FullSensorRecord(decoding: Array(Self.record.prefix(length))) }
    }

    @Test func sensorReadingAndSDRFraming() throws {
        let reading = try SensorReading(decoding: [0x60, 0xC0, 0x08])
        #expect(reading.raw == 0x60 && reading.isAvailable && reading.thresholdStatus == 0x08)
        #expect(try !SensorReading(decoding: [0, 0x20]).isAvailable)
        #expect(SDRRepository.get(reservation: 0x0102, recordID: 0x0304, offset: 5, count: 16).data
                == [0x02, 0x01, 0x04, 0x03, 5, 16])
        #expect(try SDRRepository.record(decoding: [0xFF, 0xFF, 1, 2]) == (0xFFFF, [1, 2]))
    }
}
