import Foundation

/// `server.http_token_file`'s secret: every request must carry it, as `Authorization: Bearer T` or `?token=T`
/// (a browser's EventSource cannot send headers).
public struct AccessToken: Sendable {
    private let secret: [UInt8]

    /// The secret as `SecretFile` read it (the token file's rule is every secret file's: see `SecretFile`);
    /// nil when empty.
    public init?(secret: [UInt8]) {
        guard !secret.isEmpty else { return nil }
        self.secret = secret
    }

    /// Text without surrounding whitespace; nil when that leaves nothing. (Tests; `serve` reads the token file
    /// with `SecretFile` and uses `init(secret:)`.)
    public init?(fileContents: String) {
        self.init(secret: Array(fileContents.trimmingCharacters(in: .whitespacesAndNewlines).utf8))
    }

    /// Whether the request carries the token, in its header, its cookie or its query.
    public func admits(authorization: String?, query: String?, cookie: String? = nil) -> Bool {
        var offered: [String] = []
        if let authorization, authorization.lowercased().hasPrefix("bearer ") {
            offered.append(String(authorization.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces))
        }
        if let token = Self.queryValue("token", in: query) { offered.append(token) }
        if let cookie { offered.append(cookie) }
        // Every candidate is compared in full, so the answer's timing says nothing about which one matched.
        return offered.reduce(false) { matched, candidate in Self.same(Array(candidate.utf8), secret) || matched }
    }

    /// Constant time for a given secret length: every byte of the secret is looked at, whatever differs first, and
    /// a different length is a difference of its own (never folded into a byte, where 256 extra bytes vanish).
    static func same(_ offered: [UInt8], _ secret: [UInt8]) -> Bool {
        var difference: UInt8 = offered.count == secret.count ? 0 : 1
        for index in secret.indices {
            difference |= secret[index] ^ (index < offered.count ? offered[index] : 0)
        }
        return difference == 0
    }

    /// The cookie's name: the token leaves the address bar for it after the first visit.
    public static let cookieName = "netroot_token"

    /// `Set-Cookie` for the token: HttpOnly (no script reads it), SameSite=Strict (no other site's page sends it).
    public var cookie: String {
        "\(Self.cookieName)=\(Self.cookieEncoded(secret)); Path=/; HttpOnly; SameSite=Strict"
    }

    /// The token cookie's value in a `Cookie` header (several headers joined), percent-decoded; nil without it.
    public static func cookieValue(in headers: [String]) -> String? {
        for header in headers {
            for pair in header.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == cookieName else { continue }
                let raw = parts[1].trimmingCharacters(in: .whitespaces)
                return raw.removingPercentEncoding ?? raw
            }
        }
        return nil
    }

    /// Letters and digits as they are, every other byte as %XX: any token fits a cookie value.
    static func cookieEncoded(_ bytes: [UInt8]) -> String {
        var text = ""
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
                text.append(Character(Unicode.Scalar(byte)))
            default:
                text += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return text
    }

    /// The query without `name`'s parameters; nil when nothing is left.
    public static func removingQueryValue(_ name: String, from query: String?) -> String? {
        guard let query else { return nil }
        let kept = query.split(separator: "&").filter { pair in
            pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first != Substring(name)
        }
        return kept.isEmpty ? nil : kept.joined(separator: "&")
    }

    /// A query parameter's value, percent-decoded (`+` stays a plus: tokens are not form data).
    public static func queryValue(_ name: String, in query: String?) -> String? {
        guard let query else { return nil }
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if parts.first == Substring(name) {
                let raw = parts.count > 1 ? String(parts[1]) : ""
                return raw.removingPercentEncoding ?? raw
            }
        }
        return nil
    }
}
