import ByteOrder

/// Get Device ID (App 0x01): who made the BMC, its firmware and IPMI version.
public struct DeviceID: Equatable, Sendable {
    public static let request = IPMIRequest(netFunction: 0x06, command: 0x01)

    public var deviceID: UInt8
    public var deviceRevision: UInt8
    /// Whether the device is ready (firmware revision byte 1, bit 7 clear).
    public var isAvailable: Bool
    /// "9.08": major revision, then the minor revision as two BCD digits.
    public var firmwareRevision: String
    /// "2.0": the IPMI version byte as BCD.
    public var ipmiVersion: String
    public var manufacturerID: UInt32
    public var productID: UInt16
    public var providesDeviceSDRs: Bool

    public init(decoding data: [UInt8]) throws {
        guard data.count >= 11 else { throw IPMIDecodingError("Get Device ID: \(data.count) data bytes, needs 11") }
        deviceID = data[0]
        deviceRevision = data[1] & 0x0F
        providesDeviceSDRs = data[1] & 0x80 != 0
        isAvailable = data[2] & 0x80 == 0
        firmwareRevision = "\(data[2] & 0x7F).\(data[3] >> 4)\(data[3] & 0x0F)"
        ipmiVersion = "\(data[4] & 0x0F).\(data[4] >> 4)"
        manufacturerID = UInt32(data[6]) | UInt32(data[7]) << 8 | UInt32(data[8] & 0x0F) << 16
        productID = LittleEndian.uint16(data, at: 9)
    }
}

/// Get System GUID (App 0x37): the 16 bytes, and the text ipmitool prints for them.
public struct SystemGUID: Equatable, Sendable {
    public static let request = IPMIRequest(netFunction: 0x06, command: 0x37)

    /// As the BMC sent them (least significant byte first).
    public var bytes: [UInt8]

    public init(decoding data: [UInt8]) throws {
        guard data.count >= 16 else { throw IPMIDecodingError("Get System GUID: \(data.count) data bytes, needs 16") }
        bytes = Array(data.prefix(16))
    }

    /// 8-4-4-4-12 hex of the bytes in reverse (IPMI sends the GUID least significant byte first).
    public var text: String {
        let digits = bytes.reversed().map(hex)
        let groups = [0..<4, 4..<6, 6..<8, 8..<10, 10..<16].map { digits[$0].joined() }
        return groups.joined(separator: "-")
    }
}
