/// Text that fits on one line of a generated file: it holds no control character and no line or paragraph
/// separator, so it can neither end its line early nor start another.
public struct ConfigLineValue: Sendable, Hashable, CustomStringConvertible {
    public let text: String

    /// Nil when `text` holds a character that would break the line (see `LineBreaker`).
    public init?(_ text: String) {
        guard LineBreaker.first(in: text) == nil else { return nil }
        self.text = text
    }

    /// `text` with every character that would break the line written as an escape (`\n`, `\u{1B}`):
    /// for comments and messages, where the value is shown, never acted on.
    public init(escaping text: String) {
        self.text = LineBreaker.escaped(text)
    }

    public var description: String { text }
    public var isEmpty: Bool { text.isEmpty }

    /// Two one-line texts joined are one line.
    public static func + (lhs: ConfigLineValue, rhs: ConfigLineValue) -> ConfigLineValue {
        ConfigLineValue(uncheckedText: lhs.text + rhs.text)
    }

    private init(uncheckedText: String) { self.text = uncheckedText }
}

/// A character that cannot be written into one line of a generated file or a text DHCP option:
/// a control character (C0, DEL, C1) or a Unicode line or paragraph separator.
public struct LineBreaker: Sendable, Equatable, CustomStringConvertible {
    public let scalar: Unicode.Scalar
    /// 1-based, counted in Unicode scalars, as an editor's column counts characters.
    public let position: Int

    /// The first such character in `text`, or nil when there is none.
    public static func first(in text: String) -> LineBreaker? {
        for (index, scalar) in text.unicodeScalars.enumerated() where breaksLine(scalar) {
            return LineBreaker(scalar: scalar, position: index + 1)
        }
        return nil
    }

    static func breaksLine(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .lineSeparator, .paragraphSeparator: true
        default: false
        }
    }

    /// "a newline (character 13)".
    public var description: String { "\(name) (character \(position))" }

    private var name: String {
        switch scalar.value {
        case 0x0A: "a newline"
        case 0x0D: "a carriage return"
        case 0x09: "a tab"
        case 0x00: "a NUL character"
        default: "a control character U+" + Self.hex(scalar.value, digits: 4)
        }
    }

    /// `text` with each line breaker escaped as Swift writes it.
    static func escaped(_ text: String) -> String {
        guard first(in: text) != nil else { return text }
        var result = ""
        for scalar in text.unicodeScalars {
            guard breaksLine(scalar) else {
                result.unicodeScalars.append(scalar)
                continue
            }
            switch scalar.value {
            case 0x0A: result += "\\n"
            case 0x0D: result += "\\r"
            case 0x09: result += "\\t"
            default: result += "\\u{" + hex(scalar.value, digits: 1) + "}"
            }
        }
        return result
    }

    private static func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
