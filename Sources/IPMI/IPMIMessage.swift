/// One IPMI command to the BMC: network function, command number and its data.
public struct IPMIRequest: Equatable, Sendable {
    public var netFunction: UInt8
    public var command: UInt8
    public var data: [UInt8]

    public init(netFunction: UInt8, command: UInt8, data: [UInt8] = []) {
        self.netFunction = netFunction
        self.command = command
        self.data = data
    }

    /// How error lines name it: "Get Chassis Status", or "netfn 0x0a command 0x23" for others.
    public var name: String {
        switch (netFunction, command) {
        case (0x00, 0x01): "Get Chassis Status"
        case (0x00, 0x02): "Chassis Control"
        case (0x00, 0x08): "Set System Boot Options"
        case (0x06, 0x01): "Get Device ID"
        case (0x06, 0x37): "Get System GUID"
        case (0x06, 0x38): "Get Channel Authentication Capabilities"
        case (0x06, 0x3B): "Set Session Privilege Level"
        case (0x06, 0x3C): "Close Session"
        case (0x0A, 0x10): "Get FRU Inventory Area Info"
        case (0x0A, 0x11): "Read FRU Data"
        case (0x0A, 0x22): "Reserve SDR Repository"
        case (0x0A, 0x23): "Get SDR"
        case (0x04, 0x2D): "Get Sensor Reading"
        default: "netfn 0x\(hex(netFunction)) command 0x\(hex(command))"
        }
    }
}

/// The BMC's answer to an `IPMIRequest`: the completion code and the data after it.
public struct IPMIResponse: Equatable, Sendable {
    /// The response network function (the request's plus one).
    public var netFunction: UInt8
    public var command: UInt8
    /// The requester's sequence number (rqSeq) it echoes, 0…63.
    public var sequence: UInt8
    public var completionCode: UInt8
    public var data: [UInt8]

    public init(netFunction: UInt8, command: UInt8, sequence: UInt8, completionCode: UInt8, data: [UInt8]) {
        self.netFunction = netFunction
        self.command = command
        self.sequence = sequence
        self.completionCode = completionCode
        self.data = data
    }
}

/// The IPMI LAN message inside a session packet (IPMI 2.0 figure 13-4): two addresses, two checksums.
public enum LANMessage {
    /// The BMC's responder address on the IPMB.
    public static let bmcAddress: UInt8 = 0x20
    /// Our requester address: "remote console software ID" 0x81, as ipmitool uses.
    public static let consoleAddress: UInt8 = 0x81

    /// rsAddr, netFn/LUN, checksum, rqAddr, rqSeq/LUN, cmd, data, checksum.
    public static func encode(_ request: IPMIRequest, sequence: UInt8) -> [UInt8] {
        var bytes: [UInt8] = [bmcAddress, request.netFunction << 2]
        bytes.append(checksum(bytes[...]))
        bytes += [consoleAddress, (sequence & 0x3F) << 2, request.command]
        bytes += request.data
        bytes.append(checksum(bytes[3...]))
        return bytes
    }

    /// rqAddr, netFn/LUN, checksum, rsAddr, rqSeq/LUN, cmd, completion code, data, checksum; both checked.
    public static func decodeResponse(_ bytes: [UInt8]) throws -> IPMIResponse {
        guard bytes.count >= 8 else {
            throw IPMIDecodingError("IPMI response: \(bytes.count) bytes is too short (needs 8)")
        }
        guard checksum(bytes[0..<2]) == bytes[2] else { throw IPMIDecodingError("IPMI response: bad header checksum") }
        guard checksum(bytes[3..<(bytes.count - 1)]) == bytes[bytes.count - 1] else {
            throw IPMIDecodingError("IPMI response: bad data checksum")
        }
        return IPMIResponse(netFunction: bytes[1] >> 2, command: bytes[5], sequence: bytes[4] >> 2,
                            completionCode: bytes[6], data: Array(bytes[7..<(bytes.count - 1)]))
    }

    /// The two's complement of the sum: the bytes plus their checksum add up to zero.
    public static func checksum(_ bytes: ArraySlice<UInt8>) -> UInt8 {
        0 &- bytes.reduce(0, &+)
    }
}
