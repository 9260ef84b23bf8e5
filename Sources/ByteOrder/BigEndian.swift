/// Network byte order (most significant byte first), as every field of DHCP, TFTP, IPv4 and UDP headers is
/// laid out: the one place integers are packed into and read out of bytes.
public enum BigEndian {
    /// The 16-bit number at `index` (two bytes must be there).
    @inlinable
    public static func uint16<Bytes: Collection<UInt8>>(_ bytes: Bytes, at index: Bytes.Index) -> UInt16 {
        UInt16(bytes[index]) << 8 | UInt16(bytes[bytes.index(after: index)])
    }

    /// The 32-bit number at `index` (four bytes must be there).
    @inlinable
    public static func uint32<Bytes: Collection<UInt8>>(_ bytes: Bytes, at index: Bytes.Index) -> UInt32 {
        var value: UInt32 = 0
        var position = index
        for _ in 0..<4 {
            value = value << 8 | UInt32(bytes[position])
            position = bytes.index(after: position)
        }
        return value
    }

    @inlinable
    public static func bytes(_ value: UInt16) -> [UInt8] {
        [UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }

    @inlinable
    public static func bytes(_ value: UInt32) -> [UInt8] {
        [UInt8(truncatingIfNeeded: value >> 24), UInt8(truncatingIfNeeded: value >> 16),
         UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }

    @inlinable
    public static func append(_ value: UInt16, to bytes: inout [UInt8]) {
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    @inlinable
    public static func append(_ value: UInt32, to bytes: inout [UInt8]) {
        bytes.append(UInt8(truncatingIfNeeded: value >> 24))
        bytes.append(UInt8(truncatingIfNeeded: value >> 16))
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }
}
