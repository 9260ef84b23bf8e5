import Foundation

/// Bytes written as hex in test fixtures (captures of real clients, servers and BMCs): the one reader every test
/// target uses. Whitespace is ignored; anything else that is not a pair of hex digits is an error.
public enum HexFixture {
    /// Why a fixture's text is not hex.
    public struct Malformed: Error, CustomStringConvertible {
        public let description: String
    }

    /// The bytes `hex` spells.
    public static func bytes(_ hex: String) throws -> [UInt8] {
        let digits = Array(hex.filter { !$0.isWhitespace })
        guard digits.count % 2 == 0 else { throw Malformed(description: "odd number of hex digits (\(digits.count))") }
        return try stride(from: 0, to: digits.count, by: 2).map { index in
            guard let byte = UInt8(String(digits[index...index + 1]), radix: 16) else {
                throw Malformed(description: "'\(digits[index])\(digits[index + 1])' at \(index) is not a hex byte")
            }
            return byte
        }
    }

    /// The bytes of the hex file at `url`.
    public static func file(_ url: URL) throws -> [UInt8] { try bytes(String(contentsOf: url, encoding: .utf8)) }

    /// The bytes of the hex file `name` in the `Captures` folder beside the calling test's source file.
    public static func capture(_ name: String, beside sourceFile: String = #filePath) throws -> [UInt8] {
        try file(URL(fileURLWithPath: sourceFile).deletingLastPathComponent().appendingPathComponent("Captures/\(name)"))
    }
}
