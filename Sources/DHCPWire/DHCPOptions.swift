/// The options of one message as raw bytes by code, in first-seen order; unknown options survive.
///
/// Repeated instances of a code are concatenated on decode (RFC 3396 §5) and values over 255 bytes
/// are split on encode (RFC 3396 §4), so a value here is always the whole option.
public struct DHCPOptions: Sendable, Equatable {
    private(set) var entries: [(code: UInt8, value: [UInt8])] = []

    public init() {}

    public subscript(code: UInt8) -> [UInt8]? {
        get {
            for entry in entries where entry.code == code { return entry.value }
            return nil
        }
        set {
            if let index = entries.firstIndex(where: { $0.code == code }) {
                if let newValue { entries[index].value = newValue } else { entries.remove(at: index) }
            } else if let newValue {
                entries.append((code, newValue))
            }
        }
    }

    /// Codes in the order they first appeared (decode) or were set (encode).
    public var codes: [UInt8] { entries.map(\.code) }

    public var isEmpty: Bool { entries.isEmpty }

    /// Appends to an existing value: how RFC 3396 joins split options.
    mutating func append(code: UInt8, bytes: ArraySlice<UInt8>) {
        if let index = entries.firstIndex(where: { $0.code == code }) {
            entries[index].value.append(contentsOf: bytes)
        } else {
            entries.append((code, Array(bytes)))
        }
    }

    public static func == (lhs: DHCPOptions, rhs: DHCPOptions) -> Bool {
        lhs.entries.count == rhs.entries.count
            && zip(lhs.entries, rhs.entries).allSatisfy { $0.code == $1.code && $0.value == $1.value }
    }
}
