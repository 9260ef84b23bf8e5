// Untrusted text made safe where it enters, and made safe again by every renderer.
//
// The rule (one rule for the whole appliance):
//
// - every control character is written as an escape and never reaches a terminal or a log raw:
//   C0 (U+0000–U+001F, including \n \r \t), DEL (U+007F) and C1 (U+0080–U+009F) as `\xNN`
//   (two lowercase hex digits: ESC is `\x1b`, a newline `\x0a`, CSI `\x9b`);
//   the Unicode bidi controls and overrides (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069)
//   and the line and paragraph separators (U+2028, U+2029) as `\u{XXXX}` (four lowercase hex digits);
// - at entry (`UntrustedText.escape`) a backslash is written as `\x5c`, so every backslash in the result
//   starts an escape and the escaping is unambiguous (the raw text can be read back from it);
// - when the input is bytes, a byte that is not part of valid UTF-8 is written as `\xNN`
//   (so an invalid byte 0x9b and the character U+009B look alike: both mean "this code, not shown");
// - the result is at most `limit` Unicode scalars long (default `UntrustedText.defaultLimit`); a longer
//   one is cut between two escapes, never inside one, and ends with `…`.
//
// Renderers apply `Terminal.safe`, which escapes the control characters only: a backslash is left as it
// is, so a renderer applied to text already escaped at entry changes nothing (`Terminal.safe` is
// idempotent, and `Terminal.safe(UntrustedText.escape(x)) == UntrustedText.escape(x)`).

/// Text a client, a BMC or a file chose, escaped once where it enters (see `UntrustedText.escape`).
public struct UntrustedText: Sendable, Hashable, CustomStringConvertible {
    /// The escaped text: no control character, backslashes escaped, at most the cap long.
    public let safe: String

    /// The longest escaped text kept by default, in Unicode scalars (the ellipsis included).
    public static let defaultLimit = 256

    /// Escapes `raw` (see `UntrustedText.escape(_:limit:)`).
    public init(_ raw: String, limit: Int = UntrustedText.defaultLimit) {
        safe = UntrustedText.escape(raw, limit: limit)
    }

    /// Escapes `bytes` (see `UntrustedText.escape(bytes:limit:)`).
    public init(bytes: some Sequence<UInt8>, limit: Int = UntrustedText.defaultLimit) {
        safe = UntrustedText.escape(bytes: bytes, limit: limit)
    }

    public var description: String { safe }

    /// Text safe to show and to log: control characters and backslashes escaped, capped at `limit`
    /// Unicode scalars with `…` marking a cut. Apply it once, where the text enters the appliance.
    public static func escape(_ text: String, limit: Int = defaultLimit) -> String {
        var out = CappedText(limit: limit)
        for scalar in text.unicodeScalars {
            if !out.append(scalar, escapingBackslash: true) { break }
        }
        return out.finish()
    }

    /// Like `escape(_:)` for bytes that should be UTF-8: a byte that is not part of valid UTF-8 is
    /// written as `\xNN`.
    public static func escape(bytes: some Sequence<UInt8>, limit: Int = defaultLimit) -> String {
        let bytes = Array(bytes)
        var out = CappedText(limit: limit)
        var index = 0
        while index < bytes.count {
            let accepted: Bool
            if let (scalar, length) = UTF8Scalar.decode(bytes, at: index) {
                accepted = out.append(scalar, escapingBackslash: true)
                index += length
            } else {
                accepted = out.appendPiece(Escape.byte(bytes[index]))
                index += 1
            }
            if !accepted { break }
        }
        return out.finish()
    }

    /// Text read back from storage (a file an earlier run wrote, perhaps before text was escaped): control
    /// characters escaped and the cap applied, backslashes kept, so text escaped when it entered comes back
    /// unchanged however often it is stored and read.
    public static func escapeStored(_ text: String, limit: Int = defaultLimit) -> String {
        var out = CappedText(limit: limit)
        for scalar in text.unicodeScalars {
            if !out.append(scalar, escapingBackslash: false) { break }
        }
        return out.finish()
    }
}

/// The renderers' pass: control characters escaped, nothing else changed (idempotent).
public enum Terminal {
    /// `text` with every control character (C0, DEL, C1, bidi controls, line separators) escaped as
    /// `\xNN` or `\u{XXXX}`; a backslash is kept, so text escaped at entry comes out unchanged.
    public static func safe(_ text: String) -> String {
        // The common case, nothing to escape, costs one scan and no copy.
        guard text.unicodeScalars.contains(where: Escape.isControl) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            if Escape.isControl(scalar) {
                out += Escape.scalar(scalar)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Whether `text` holds a character that `safe(_:)` would escape.
    public static func hasControls(_ text: String) -> Bool {
        text.unicodeScalars.contains(where: Escape.isControl)
    }
}

/// The escape spellings and the set of characters escaped.
enum Escape {
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F, 0x80...0x9F: return true
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return true
        case 0x2028, 0x2029: return true
        default: return false
        }
    }

    /// The escape of a control character (or of a backslash).
    static func scalar(_ scalar: Unicode.Scalar) -> String {
        scalar.value <= 0xFF ? byte(UInt8(scalar.value)) : "\\u{" + hex(scalar.value, digits: 4) + "}"
    }

    static func byte(_ byte: UInt8) -> String {
        "\\x" + hex(UInt32(byte), digits: 2)
    }

    private static func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}

/// Output that stops growing at a cap of Unicode scalars and ends with `…` when something was cut.
struct CappedText {
    private(set) var text = ""
    private var count = 0
    private let limit: Int
    private var cut = false
    // The end of the last piece that still leaves room for the ellipsis, kept so a cut never splits an escape.
    private var endBeforeEllipsis: String.Index?

    init(limit: Int) {
        self.limit = max(1, limit)
        text.reserveCapacity(min(self.limit, 64))
    }

    /// Appends one scalar (escaped if it must be); false once the cap is reached.
    mutating func append(_ scalar: Unicode.Scalar, escapingBackslash: Bool) -> Bool {
        if Escape.isControl(scalar) || (escapingBackslash && scalar == "\\") {
            return appendPiece(Escape.scalar(scalar))
        }
        return appendPiece(scalar)
    }

    mutating func appendPiece(_ scalar: Unicode.Scalar) -> Bool {
        guard count + 1 <= limit else { cut = true; return false }
        text.unicodeScalars.append(scalar)
        count += 1
        if count <= limit - 1 { endBeforeEllipsis = text.endIndex }
        return true
    }

    /// Appends an escape (ASCII) whole or not at all; false once the cap is reached.
    mutating func appendPiece(_ piece: String) -> Bool {
        let length = piece.utf8.count
        guard count + length <= limit else { cut = true; return false }
        text += piece
        count += length
        if count <= limit - 1 { endBeforeEllipsis = text.endIndex }
        return true
    }

    /// The text, cut to leave room for `…` if something did not fit.
    mutating func finish() -> String {
        guard cut else { return text }
        let kept = endBeforeEllipsis.map { String(String.UnicodeScalarView(text.unicodeScalars[..<$0])) } ?? ""
        return kept + "…"
    }
}

/// A strict UTF-8 decoder (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF).
enum UTF8Scalar {
    /// The scalar starting at `index` and its length in bytes, or nil if the byte there does not start
    /// a valid sequence.
    static func decode(_ bytes: [UInt8], at index: Int) -> (Unicode.Scalar, Int)? {
        let first = bytes[index]
        if first < 0x80 { return (Unicode.Scalar(first), 1) }
        let length: Int
        let secondRange: ClosedRange<UInt8>
        switch first {
        case 0xC2...0xDF: length = 2; secondRange = 0x80...0xBF
        case 0xE0: length = 3; secondRange = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3; secondRange = 0x80...0xBF
        case 0xED: length = 3; secondRange = 0x80...0x9F
        case 0xF0: length = 4; secondRange = 0x90...0xBF
        case 0xF1...0xF3: length = 4; secondRange = 0x80...0xBF
        case 0xF4: length = 4; secondRange = 0x80...0x8F
        default: return nil
        }
        guard index + length <= bytes.count, secondRange.contains(bytes[index + 1]) else { return nil }
        var value = UInt32(first) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
        value = value << 6 | UInt32(bytes[index + 1] & 0x3F)
        for offset in 2..<length {
            let byte = bytes[index + offset]
            guard (0x80...0xBF).contains(byte) else { return nil }
            value = value << 6 | UInt32(byte & 0x3F)
        }
        guard let scalar = Unicode.Scalar(value) else { return nil }
        return (scalar, length)
    }
}
