/// An Ethernet hardware address, stored as six bytes and printed lower-case with colons.
public struct MACAddress: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let bytes: [UInt8]

    /// Accepts six hex pairs separated by `:` or `-` (one separator throughout), any case.
    public init?(_ text: String) {
        let utf8 = Array(text.utf8)
        guard utf8.count == 17 else { return nil }
        let separator = utf8[2]
        guard separator == UInt8(ascii: ":") || separator == UInt8(ascii: "-") else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(6)
        for index in 0..<6 {
            let start = index * 3
            if index > 0, utf8[start - 1] != separator { return nil }
            guard let high = hexValue(utf8[start]), let low = hexValue(utf8[start + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        self.bytes = bytes
    }

    public init?(bytes: [UInt8]) {
        guard bytes.count == 6 else { return nil }
        self.bytes = bytes
    }

    /// `ff:ff:ff:ff:ff:ff`, which every NIC on the link receives.
    public var isBroadcast: Bool { bytes.allSatisfy { $0 == 0xff } }
    /// The low bit of the first byte set (broadcast included): a group address, never one NIC's own.
    public var isMulticast: Bool { bytes[0] & 1 == 1 }
    /// `00:00:00:00:00:00`, what a missing or unprogrammed address reads as.
    public var isZero: Bool { bytes.allSatisfy { $0 == 0 } }

    /// `52:54:00:00:00:01`
    public var description: String { formatted(separator: ":") }

    /// The form pxelinux uses in `pxelinux.cfg/01-52-54-00-00-00-01`.
    public var hyphenated: String { formatted(separator: "-") }

    public static func < (lhs: MACAddress, rhs: MACAddress) -> Bool {
        lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }

    private func formatted(separator: String) -> String {
        bytes.map { byte in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }.joined(separator: separator)
    }
}

private func hexValue(_ character: UInt8) -> UInt8? {
    switch character {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return character - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return character - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return character - UInt8(ascii: "A") + 10
    default: return nil
    }
}
