import ByteOrder

/// Get Channel Authentication Capabilities (App 0x38), sent before a session in IPMI 1.5 framing.
public struct ChannelAuthenticationCapabilities: Equatable, Sendable {
    public var channel: UInt8
    /// Bit 7 of the authentication type support byte: the channel has IPMI 2.0 extended capabilities.
    public var hasExtendedCapabilities: Bool
    /// The IPMI 2.0 bit of the extended capabilities byte: RMCP+ sessions can be opened.
    public var supportsIPMI2: Bool

    /// Channel 0x0E ("this channel") with the "IPMI 2.0 data" bit, and the privilege level we want.
    public static func request(privilege: PrivilegeLevel) -> IPMIRequest {
        IPMIRequest(netFunction: 0x06, command: 0x38, data: [0x8E, privilege.rawValue])
    }

    public init(decoding data: [UInt8]) throws {
        guard data.count >= 8 else {
            throw IPMIDecodingError("Get Channel Authentication Capabilities: \(data.count) data bytes, needs 8")
        }
        channel = data[0]
        hasExtendedCapabilities = data[1] & 0x80 != 0
        supportsIPMI2 = hasExtendedCapabilities && data[3] & 0x02 != 0
    }
}

/// Session management commands the state machine sends itself.
public enum SessionCommand {
    /// Set Session Privilege Level (App 0x3B).
    public static func setPrivilege(_ level: PrivilegeLevel) -> IPMIRequest {
        IPMIRequest(netFunction: 0x06, command: 0x3B, data: [level.rawValue])
    }

    /// Close Session (App 0x3C) for the BMC's session ID.
    public static func close(bmcSessionID: UInt32) -> IPMIRequest {
        IPMIRequest(netFunction: 0x06, command: 0x3C, data: LittleEndian.bytes(bmcSessionID))
    }
}
