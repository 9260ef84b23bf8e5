import ByteOrder
import Values

/// A BOOTP/DHCP message (RFC 2131 §2): typed header fields and raw options.
public struct DHCPMessage: Sendable, Equatable {
    /// BOOTREQUEST (1) from clients and relays, BOOTREPLY (2) from servers.
    public enum Operation: UInt8, Sendable {
        case request = 1
        case reply = 2
    }

    public var op: Operation
    /// Hardware type; 1 is Ethernet.
    public var htype: UInt8
    public var hlen: UInt8
    public var hops: UInt8
    public var xid: UInt32
    public var secs: UInt16
    public var flags: UInt16
    public var ciaddr: IPv4Address
    public var yiaddr: IPv4Address
    public var siaddr: IPv4Address
    public var giaddr: IPv4Address
    /// All 16 bytes of the client hardware address field; `hlen` of them are meaningful.
    public var chaddr: [UInt8]
    /// Server host name field (64 bytes, NUL-padded); empty when it carried overloaded options.
    public var sname: [UInt8]
    /// Boot file name field (128 bytes, NUL-padded); empty when it carried overloaded options.
    public var file: [UInt8]
    public var options: DHCPOptions

    static let headerLength = 236
    static let magicCookie: [UInt8] = [99, 130, 83, 99]
    /// RFC 1542 §3.4: relays and old clients expect at least a 300-byte BOOTP message.
    static let minimumLength = 300

    public init(op: Operation, xid: UInt32, chaddr: [UInt8], htype: UInt8 = 1, hlen: UInt8 = 6) {
        self.op = op
        self.htype = htype
        self.hlen = hlen
        hops = 0
        self.xid = xid
        secs = 0
        flags = 0
        ciaddr = IPv4Address(0)
        yiaddr = IPv4Address(0)
        siaddr = IPv4Address(0)
        giaddr = IPv4Address(0)
        self.chaddr = chaddr + [UInt8](repeating: 0, count: max(0, 16 - chaddr.count))
        sname = []
        file = []
        options = DHCPOptions()
    }

    /// The broadcast bit of `flags` (RFC 2131 §2, figure 2).
    public var broadcastFlag: Bool {
        get { flags & 0x8000 != 0 }
        set { flags = newValue ? flags | 0x8000 : flags & ~0x8000 }
    }

    /// The client's MAC when the hardware is Ethernet.
    public var clientMAC: MACAddress? {
        guard htype == 1, hlen == 6 else { return nil }
        return MACAddress(bytes: Array(chaddr.prefix(6)))
    }

    /// `file` as text up to its first NUL.
    public var fileName: String { String(decoding: file.prefix { $0 != 0 }, as: UTF8.self) }
}

// MARK: - Decoding

extension DHCPMessage {
    /// Decodes a UDP payload. Never traps: malformed input throws a countable reason.
    public init(decoding bytes: some Collection<UInt8>) throws(DHCPDecodeError) {
        let data = Array(bytes)
        guard data.count >= Self.headerLength + 4 else { throw .tooShort }
        guard data[236..<240].elementsEqual(Self.magicCookie) else { throw .badMagicCookie }
        guard let op = Operation(rawValue: data[0]) else { throw .tooShort }
        guard data[2] <= 16 else { throw .badHardwareLength }
        self.op = op
        htype = data[1]
        hlen = data[2]
        hops = data[3]
        xid = BigEndian.uint32(data, at: 4)
        secs = BigEndian.uint16(data, at: 8)
        flags = BigEndian.uint16(data, at: 10)
        ciaddr = IPv4Address(BigEndian.uint32(data, at: 12))
        yiaddr = IPv4Address(BigEndian.uint32(data, at: 16))
        siaddr = IPv4Address(BigEndian.uint32(data, at: 20))
        giaddr = IPv4Address(BigEndian.uint32(data, at: 24))
        chaddr = Array(data[28..<44])
        sname = Array(data[44..<108])
        file = Array(data[108..<236])

        var options = DHCPOptions()
        try Self.parseOptions(data[240...], into: &options)
        // Option 52 (RFC 2132 §9.3): `file` first, then `sname` (RFC 2131 §4.1), joined per RFC 3396.
        if let overload = options[OptionCode.overload] {
            guard overload.count == 1, (1...3).contains(overload[0]) else { throw .badOverload }
            if overload[0] & 1 != 0 {
                try Self.parseOptions(data[108..<236], into: &options)
                file = []
            }
            if overload[0] & 2 != 0 {
                try Self.parseOptions(data[44..<108], into: &options)
                sname = []
            }
            guard options[OptionCode.overload] == overload else { throw .badOverload }
        }
        try Self.checkLengths(options)
        self.options = options
    }


    private static func parseOptions(_ field: ArraySlice<UInt8>, into options: inout DHCPOptions)
        throws(DHCPDecodeError) {
        var index = field.startIndex
        while index < field.endIndex {
            let code = field[index]
            if code == OptionCode.end { return }
            if code == OptionCode.pad {
                index += 1
                continue
            }
            guard index + 1 < field.endIndex else { throw .optionWithoutLength }
            let length = Int(field[index + 1])
            let start = index + 2
            guard start + length <= field.endIndex else { throw .optionOverrun }
            options.append(code: code, bytes: field[start..<start + length])
            index = start + length
        }
    }

    /// Options whose value netroot interprets must have the length their RFC gives.
    private static func checkLengths(_ options: DHCPOptions) throws(DHCPDecodeError) {
        let exact: [(UInt8, Int)] = [
            (OptionCode.messageType, 1), (OptionCode.requestedIPAddress, 4), (OptionCode.serverIdentifier, 4),
            (OptionCode.maximumMessageSize, 2), (OptionCode.leaseTime, 4), (OptionCode.overload, 1),
        ]
        for (code, length) in exact {
            if let value = options[code], value.count != length { throw .badOptionLength }
        }
        let nonEmpty = [OptionCode.parameterRequestList, OptionCode.vendorClassIdentifier, OptionCode.hostName,
                        OptionCode.userClass, OptionCode.relayAgentInformation]
        for code in nonEmpty {
            if let value = options[code], value.isEmpty { throw .badOptionLength }
        }
        if let value = options[OptionCode.clientIdentifier], value.count < 2 { throw .badOptionLength }
        if let value = options[OptionCode.clientSystemArchitecture], value.isEmpty || value.count % 2 != 0 {
            throw .badOptionLength
        }
    }
}

// MARK: - Encoding

extension DHCPMessage {
    /// Encodes the message in at most `maximumSize` bytes of DHCP payload.
    ///
    /// Options that do not fit overflow into unused `file`/`sname` fields (option 52); what still does not fit
    /// is dropped from the end, except option 82, which is always kept and written last (RFC 3046 §2.2).
    public func encoded(maximumSize: Int = 548) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(max(Self.minimumLength, 400))
        out.append(op.rawValue)
        out.append(htype)
        out.append(hlen)
        out.append(hops)
        BigEndian.append(xid, to: &out)
        BigEndian.append(secs, to: &out)
        BigEndian.append(flags, to: &out)
        for address in [ciaddr, yiaddr, siaddr, giaddr] { BigEndian.append(address.value, to: &out) }
        out += Self.padded(chaddr, to: 16)

        var tlvs = options.entries.filter { $0.code != OptionCode.relayAgentInformation && $0.code != OptionCode.overload }
            .map { Self.tlv(code: $0.code, value: $0.value) }
        let relay = options[OptionCode.relayAgentInformation].map { Self.tlv(code: OptionCode.relayAgentInformation, value: $0) }
        let mainCapacity = max(maximumSize, Self.minimumLength) - Self.headerLength - 4 - 1 // 1 for `end`
        var main: [UInt8] = []
        var fileArea: [UInt8]? = file.contains(where: { $0 != 0 }) ? nil : []
        var snameArea: [UInt8]? = sname.contains(where: { $0 != 0 }) ? nil : []
        let overloadReserve = 3
        let relayLength = relay?.count ?? 0
        let total = tlvs.reduce(0) { $0 + $1.count } + relayLength
        let needsOverload = total > mainCapacity
        var mainLimit = mainCapacity - relayLength - (needsOverload ? overloadReserve : 0)
        if mainLimit < 0 { mainLimit = 0 }
        while !tlvs.isEmpty {
            let next = tlvs.removeFirst()
            if main.count + next.count <= mainLimit {
                main += next
            } else if needsOverload, fileArea != nil, fileArea!.count + next.count <= 127 {
                fileArea! += next
            } else if needsOverload, snameArea != nil, snameArea!.count + next.count <= 63 {
                snameArea! += next
            }
            // Otherwise dropped: the reply stays deliverable.
        }
        var overload: UInt8 = 0
        if let area = fileArea, !area.isEmpty { overload |= 1 }
        if let area = snameArea, !area.isEmpty { overload |= 2 }

        if overload & 2 != 0 {
            out += Self.padded(snameArea! + [OptionCode.end], to: 64)
        } else {
            out += Self.padded(sname, to: 64)
        }
        if overload & 1 != 0 {
            out += Self.padded(fileArea! + [OptionCode.end], to: 128)
        } else {
            out += Self.padded(file, to: 128)
        }
        out += Self.magicCookie
        if overload != 0 { out += [OptionCode.overload, 1, overload] }
        out += main
        if let relay { out += relay }
        out.append(OptionCode.end)
        if out.count < Self.minimumLength { out += [UInt8](repeating: 0, count: Self.minimumLength - out.count) }
        return out
    }


    private static func padded(_ bytes: [UInt8], to length: Int) -> [UInt8] {
        let prefix = Array(bytes.prefix(length))
        return prefix + [UInt8](repeating: 0, count: length - prefix.count)
    }

    /// One option as code-length-value, split into 255-byte pieces when longer (RFC 3396 §4).
    private static func tlv(code: UInt8, value: [UInt8]) -> [UInt8] {
        if value.isEmpty { return [code, 0] }
        var out: [UInt8] = []
        var start = 0
        while start < value.count {
            let end = min(start + 255, value.count)
            out.append(code)
            out.append(UInt8(end - start))
            out += value[start..<end]
            start = end
        }
        return out
    }
}
