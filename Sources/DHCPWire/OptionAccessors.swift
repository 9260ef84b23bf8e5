import ByteOrder
import Values

/// Typed views of the options netroot uses; each names the RFC that defines it.
extension DHCPOptions {
    /// Option 53, DHCP message type (RFC 2132 §9.6).
    public var messageType: DHCPMessageType? {
        get { self[OptionCode.messageType].flatMap { $0.count == 1 ? DHCPMessageType(rawValue: $0[0]) : nil } }
        set { self[OptionCode.messageType] = newValue.map { [$0.rawValue] } }
    }

    /// Option 50, requested IP address (RFC 2132 §9.1).
    public var requestedIPAddress: IPv4Address? {
        get { address(OptionCode.requestedIPAddress) }
        set { setAddress(OptionCode.requestedIPAddress, newValue) }
    }

    /// Option 54, server identifier (RFC 2132 §9.7).
    public var serverIdentifier: IPv4Address? {
        get { address(OptionCode.serverIdentifier) }
        set { setAddress(OptionCode.serverIdentifier, newValue) }
    }

    /// Option 55, parameter request list (RFC 2132 §9.8).
    public var parameterRequestList: [UInt8] {
        get { self[OptionCode.parameterRequestList] ?? [] }
        set { self[OptionCode.parameterRequestList] = newValue.isEmpty ? nil : newValue }
    }

    /// Option 57, maximum DHCP message size the client accepts, IP and UDP headers included (RFC 2132 §9.10).
    public var maximumMessageSize: UInt16? {
        get { self[OptionCode.maximumMessageSize].flatMap { $0.count == 2 ? BigEndian.uint16($0, at: 0) : nil } }
        set { self[OptionCode.maximumMessageSize] = newValue.map { BigEndian.bytes($0) } }
    }

    /// Option 51, lease time in seconds (RFC 2132 §9.2); 58 and 59 are T1 and T2 (§9.11, §9.12).
    public var leaseTime: UInt32? {
        get { uint32(OptionCode.leaseTime) }
        set { setUInt32(OptionCode.leaseTime, newValue) }
    }

    public var renewalTime: UInt32? {
        get { uint32(OptionCode.renewalTime) }
        set { setUInt32(OptionCode.renewalTime, newValue) }
    }

    public var rebindingTime: UInt32? {
        get { uint32(OptionCode.rebindingTime) }
        set { setUInt32(OptionCode.rebindingTime, newValue) }
    }

    /// Option 60, vendor class identifier (RFC 2132 §9.13): `PXEClient:Arch:…` from PXE firmware.
    public var vendorClassIdentifier: String? {
        get { self[OptionCode.vendorClassIdentifier].map { String(decoding: $0, as: UTF8.self) } }
        set { self[OptionCode.vendorClassIdentifier] = newValue.map { Array($0.utf8) } }
    }

    /// Option 93, client system architectures (RFC 4578 §2.1); the first is the one booting.
    public var clientArchitectures: [UInt16] {
        guard let value = self[OptionCode.clientSystemArchitecture], value.count % 2 == 0 else { return [] }
        return stride(from: 0, to: value.count, by: 2).map { BigEndian.uint16(value, at: $0) }
    }

    /// Option 97, client machine identifier (RFC 4578 §2.3): type 0 and a 16-byte UUID.
    public var clientMachineIdentifier: [UInt8]? { self[OptionCode.clientMachineIdentifier] }

    /// Option 61, client identifier (RFC 2132 §9.14).
    public var clientIdentifier: [UInt8]? { self[OptionCode.clientIdentifier] }

    /// Option 12, host name (RFC 2132 §3.14).
    public var hostName: String? {
        get { self[OptionCode.hostName].map { String(decoding: $0, as: UTF8.self) } }
        set { self[OptionCode.hostName] = newValue.map { Array($0.utf8) } }
    }

    /// Option 77, user class (RFC 3004); iPXE sends `iPXE`.
    public var userClass: [UInt8]? { self[OptionCode.userClass] }

    /// Option 82, relay agent information (RFC 3046): echoed unchanged in replies, last.
    public var relayAgentInformation: [UInt8]? {
        get { self[OptionCode.relayAgentInformation] }
        set { self[OptionCode.relayAgentInformation] = newValue }
    }

    /// Option 17, root path (RFC 2132 §3.19): the initramfs mounts it.
    public var rootPath: String? {
        get { self[OptionCode.rootPath].map { String(decoding: $0, as: UTF8.self) } }
        set { self[OptionCode.rootPath] = newValue.map { Array($0.utf8) } }
    }

    /// A list of IPv4 addresses, as options 3 and 6 carry them (RFC 2132 §3.5, §3.8).
    public func addresses(_ code: UInt8) -> [IPv4Address] {
        guard let value = self[code], value.count % 4 == 0 else { return [] }
        return stride(from: 0, to: value.count, by: 4).map { IPv4Address(BigEndian.uint32(value, at: $0)) }
    }

    public mutating func setAddresses(_ code: UInt8, _ addresses: [IPv4Address]) {
        self[code] = addresses.isEmpty ? nil : addresses.flatMap(\.bytes)
    }

    public func address(_ code: UInt8) -> IPv4Address? {
        guard let value = self[code], value.count == 4 else { return nil }
        return addresses(code).first
    }

    public mutating func setAddress(_ code: UInt8, _ address: IPv4Address?) {
        self[code] = address?.bytes
    }

    private func uint32(_ code: UInt8) -> UInt32? {
        guard let value = self[code], value.count == 4 else { return nil }
        return BigEndian.uint32(value, at: 0)
    }

    private mutating func setUInt32(_ code: UInt8, _ value: UInt32?) {
        self[code] = value.map { BigEndian.bytes($0) }
    }
}
