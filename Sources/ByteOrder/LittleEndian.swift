/// Least significant byte first, as IPMI lays out its session IDs, sequence numbers, lengths and manufacturer
/// IDs: the little-endian counterpart of `BigEndian`.
public enum LittleEndian {
    /// The 16-bit number at `index` (two bytes must be there).
    @inlinable
    public static func uint16<Bytes: Collection<UInt8>>(_ bytes: Bytes, at index: Bytes.Index) -> UInt16 {
        UInt16(bytes[index]) | UInt16(bytes[bytes.index(after: index)]) << 8
    }

    /// The 32-bit number at `index` (four bytes must be there).
    @inlinable
    public static func uint32<Bytes: Collection<UInt8>>(_ bytes: Bytes, at index: Bytes.Index) -> UInt32 {
        var value: UInt32 = 0
        var position = index
        for shift in stride(from: 0, to: 32, by: 8) {
            value |= UInt32(bytes[position]) << UInt32(shift)
            position = bytes.index(after: position)
        }
        return value
    }

    @inlinable
    public static func bytes(_ value: UInt16) -> [UInt8] {
        [UInt8(truncatingIfNeeded: value), UInt8(truncatingIfNeeded: value >> 8)]
    }

    @inlinable
    public static func bytes(_ value: UInt32) -> [UInt8] {
        [UInt8(truncatingIfNeeded: value), UInt8(truncatingIfNeeded: value >> 8),
         UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 24)]
    }

    @inlinable
    public static func append(_ value: UInt16, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: Self.bytes(value))
    }

    @inlinable
    public static func append(_ value: UInt32, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: Self.bytes(value))
    }
}
