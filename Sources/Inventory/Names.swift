/// Rules for the names an inventory gives to hosts, domains and interfaces.
public enum Names {
    /// One DNS label as RFC 1123 allows it for a host: letters, digits and inner hyphens, 1–63 characters.
    public static func isHostLabel(_ text: String) -> Bool {
        let utf8 = text.utf8
        guard (1...63).contains(utf8.count), utf8.first != UInt8(ascii: "-"), utf8.last != UInt8(ascii: "-") else {
            return false
        }
        return utf8.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") }
    }

    /// A host or domain name: dot-separated labels, at most 253 characters.
    public static func isDomainName(_ text: String) -> Bool {
        guard (1...253).contains(text.utf8.count) else { return false }
        return text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { isHostLabel(String($0)) }
    }

    /// A Linux network interface name: 1–15 bytes, no `/`, `:`, whitespace, and not `.` or `..`.
    public static func isInterfaceName(_ text: String) -> Bool {
        let utf8 = text.utf8
        guard (1...15).contains(utf8.count), text != ".", text != ".." else { return false }
        return utf8.allSatisfy { $0 > 32 && $0 < 127 && $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: ":") }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte)
    }
}
