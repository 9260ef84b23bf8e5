/// IFNAMSIZ bytes, NUL padded, as SO_BINDTODEVICE takes them; a tuple is Sendable where a pointer is not.
public struct InterfaceName: Sendable {
    public typealias Bytes = (CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar,
                              CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar)
    public let bytes: Bytes

    public init(_ name: String) {
        var bytes: Bytes = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &bytes) { buffer in
            for (index, byte) in name.utf8.prefix(15).enumerated() { buffer[index] = byte }
        }
        self.bytes = bytes
    }
}
