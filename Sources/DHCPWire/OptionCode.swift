/// DHCP option codes netroot reads or writes (RFC 2132 unless noted).
public enum OptionCode {
    public static let pad: UInt8 = 0
    public static let subnetMask: UInt8 = 1
    public static let router: UInt8 = 3
    public static let domainNameServer: UInt8 = 6
    public static let hostName: UInt8 = 12
    public static let domainName: UInt8 = 15
    public static let rootPath: UInt8 = 17
    public static let broadcastAddress: UInt8 = 28
    public static let vendorSpecific: UInt8 = 43
    public static let requestedIPAddress: UInt8 = 50
    public static let leaseTime: UInt8 = 51
    public static let overload: UInt8 = 52
    public static let messageType: UInt8 = 53
    public static let serverIdentifier: UInt8 = 54
    public static let parameterRequestList: UInt8 = 55
    public static let message: UInt8 = 56
    public static let maximumMessageSize: UInt8 = 57
    public static let renewalTime: UInt8 = 58
    public static let rebindingTime: UInt8 = 59
    public static let vendorClassIdentifier: UInt8 = 60
    public static let clientIdentifier: UInt8 = 61
    public static let tftpServerName: UInt8 = 66
    public static let bootfileName: UInt8 = 67
    public static let userClass: UInt8 = 77            // RFC 3004
    public static let relayAgentInformation: UInt8 = 82 // RFC 3046
    public static let clientSystemArchitecture: UInt8 = 93 // RFC 4578
    public static let clientNetworkInterface: UInt8 = 94   // RFC 4578
    public static let clientMachineIdentifier: UInt8 = 97  // RFC 4578
    public static let end: UInt8 = 255
}

/// DHCP message types, option 53 (RFC 2132 §9.6).
public enum DHCPMessageType: UInt8, Sendable, CustomStringConvertible {
    case discover = 1, offer, request, decline, ack, nak, release, inform

    public var description: String {
        switch self {
        case .discover: "DISCOVER"
        case .offer: "OFFER"
        case .request: "REQUEST"
        case .decline: "DECLINE"
        case .ack: "ACK"
        case .nak: "NAK"
        case .release: "RELEASE"
        case .inform: "INFORM"
        }
    }
}
