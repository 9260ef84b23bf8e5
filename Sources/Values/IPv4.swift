/// An IPv4 address as a host-order 32-bit value.
public struct IPv4Address: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let value: UInt32

    public init(_ value: UInt32) { self.value = value }

    /// Strict dotted quad: four decimal octets, no leading zeros (which some parsers read as octal).
    public init?(_ text: String) {
        var value: UInt32 = 0
        var octets = 0
        for part in text.split(separator: ".", omittingEmptySubsequences: false) {
            guard !part.isEmpty, part.count <= 3, part.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
                  part.count == 1 || part.first != "0",
                  let octet = UInt32(part), octet <= 255 else { return nil }
            value = value << 8 | octet
            octets += 1
        }
        guard octets == 4 else { return nil }
        self.value = value
    }

    /// The four bytes in network order.
    public var bytes: [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)]
    }

    public var description: String { bytes.map(String.init).joined(separator: ".") }

    public static func < (lhs: IPv4Address, rhs: IPv4Address) -> Bool { lhs.value < rhs.value }
}

/// An IPv4 subnet in CIDR form, e.g. `192.168.1.0/24`.
public struct IPv4Subnet: Hashable, Sendable, CustomStringConvertible {
    public let network: IPv4Address
    public let prefixLength: Int

    public init?(network: IPv4Address, prefixLength: Int) {
        guard (0...32).contains(prefixLength) else { return nil }
        self.network = network
        self.prefixLength = prefixLength
        guard network.value & mask.value == network.value else { return nil }
    }

    /// Why a CIDR text was refused, so the message can say how to fix it.
    public enum ParseError: Error, Equatable {
        case malformed
        /// The address has host bits set; carries the network the user probably meant.
        case hostBitsSet(suggestion: String)
    }

    public static func parse(_ text: String) -> Result<IPv4Subnet, ParseError> {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPv4Address(String(parts[0])),
              parts[1].utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), !parts[1].isEmpty, parts[1].count <= 2,
              let length = Int(parts[1]), (0...32).contains(length) else { return .failure(.malformed) }
        let mask = IPv4Subnet.mask(prefixLength: length)
        guard let subnet = IPv4Subnet(network: address, prefixLength: length) else {
            return .failure(.hostBitsSet(suggestion: "\(IPv4Address(address.value & mask))/\(length)"))
        }
        return .success(subnet)
    }

    public var mask: IPv4Address { IPv4Address(IPv4Subnet.mask(prefixLength: prefixLength)) }

    public var broadcast: IPv4Address { IPv4Address(network.value | ~mask.value) }

    public func contains(_ address: IPv4Address) -> Bool { address.value & mask.value == network.value }

    public func overlaps(_ other: IPv4Subnet) -> Bool { contains(other.network) || other.contains(network) }

    /// True for the network and broadcast addresses, which no host may use (except in /31 and /32).
    public func isReservedAddress(_ address: IPv4Address) -> Bool {
        guard prefixLength <= 30 else { return false }
        return address == network || address == broadcast
    }

    public var description: String { "\(network)/\(prefixLength)" }

    private static func mask(prefixLength: Int) -> UInt32 {
        prefixLength == 0 ? 0 : UInt32.max << UInt32(32 - prefixLength)
    }
}

/// Coded as its CIDR text (`10.0.0.0/24`), so the NFS helper's JSON input reads as the inventory does.
extension IPv4Subnet: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard case .success(let subnet) = IPv4Subnet.parse(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a subnet in CIDR form: \(text)")
        }
        self = subnet
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// An inclusive range of IPv4 addresses, written `first-last`.
public struct IPv4Range: Hashable, Sendable, CustomStringConvertible {
    public let first: IPv4Address
    public let last: IPv4Address

    /// Parses `192.168.1.100-192.168.1.199` (spaces around the dash allowed); nil when malformed.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2,
              let first = IPv4Address(parts[0].trimmingSpaces()),
              let last = IPv4Address(parts[1].trimmingSpaces()) else { return nil }
        self.first = first
        self.last = last
    }

    public var isAscending: Bool { first <= last }

    public var count: Int { isAscending ? Int(last.value - first.value) + 1 : 0 }

    public func contains(_ address: IPv4Address) -> Bool { first <= address && address <= last }

    public var description: String { "\(first)-\(last)" }
}

extension Substring {
    /// The text without leading and trailing spaces (not other whitespace).
    public func trimmingSpaces() -> String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
