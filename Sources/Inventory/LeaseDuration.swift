/// A span of whole seconds written as `3600`, `30m`, `12h`, `1d`, `1h30m` or `infinite`.
public struct LeaseDuration: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The DHCP encoding of "never expires" (RFC 2131 §3.3).
    public static let infinite = LeaseDuration(seconds: UInt32.max)

    public let seconds: UInt32

    public init(seconds: UInt32) { self.seconds = seconds }

    /// Nil when the text is not a positive duration that fits a DHCP lease time (32 bits).
    public init?(_ text: String) {
        if text == "infinite" {
            self = .infinite
            return
        }
        if !text.isEmpty, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) {
            guard let seconds = UInt32(text), seconds > 0, seconds < UInt32.max else { return nil }
            self.seconds = seconds
            return
        }
        var total: UInt64 = 0
        var digits = ""
        var lastUnitRank = Int.max
        for character in text {
            if character.isASCII, character.isNumber {
                digits.append(character)
                continue
            }
            guard let count = UInt64(digits), let (rank, unit) = LeaseDuration.units[character],
                  rank < lastUnitRank else { return nil }
            lastUnitRank = rank
            total += count * unit
            digits = ""
            guard total < UInt64(UInt32.max) else { return nil }
        }
        guard digits.isEmpty, total > 0 else { return nil }
        self.seconds = UInt32(total)
    }

    /// Units in the order they must appear (`1h30m`, not `30m1h`), with their length in seconds.
    private static let units: [Character: (rank: Int, seconds: UInt64)] = [
        "w": (5, 604_800), "d": (4, 86_400), "h": (3, 3_600), "m": (2, 60), "s": (1, 1),
    ]

    /// The shortest exact form: `12h`, `1h30m`, `45s`.
    public var description: String {
        if self == .infinite { return "infinite" }
        var remaining = UInt64(seconds)
        var text = ""
        for (suffix, length) in [("d", UInt64(86_400)), ("h", 3_600), ("m", 60), ("s", 1)] where remaining >= length {
            text += "\(remaining / length)\(suffix)"
            remaining %= length
        }
        return text
    }

    public static func < (lhs: LeaseDuration, rhs: LeaseDuration) -> Bool { lhs.seconds < rhs.seconds }
}
