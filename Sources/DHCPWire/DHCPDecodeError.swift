/// Why a datagram was not a usable DHCP message; each case is counted, never trapped on.
public enum DHCPDecodeError: Error, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// Fewer than the 236 header bytes plus the 4-byte magic cookie.
    case tooShort
    /// The options area does not start with 99.130.83.99 (RFC 2131 §3).
    case badMagicCookie
    /// An option code with no length byte after it.
    case optionWithoutLength
    /// An option whose length runs past the end of its field.
    case optionOverrun
    /// An option we rely on with a length its RFC does not allow (e.g. zero-length message type).
    case badOptionLength
    /// Option 52 with a value other than 1, 2 or 3, or overloading a field twice.
    case badOverload
    /// Hardware address length over 16 (RFC 2131 §2: chaddr has 16 bytes).
    case badHardwareLength

    public var description: String {
        switch self {
        case .tooShort: "too short"
        case .badMagicCookie: "bad magic cookie"
        case .optionWithoutLength: "option without length"
        case .optionOverrun: "option runs past the end"
        case .badOptionLength: "bad option length"
        case .badOverload: "bad option overload"
        case .badHardwareLength: "bad hardware address length"
        }
    }
}
