import Foundation

/// `server.http_token_file`'s secret: every request must carry it, as `Authorization: Bearer T` or `?token=T`
/// (a browser's EventSource cannot send headers).
public struct AccessToken: Sendable {
    private let secret: [UInt8]

    /// The file's content without surrounding whitespace; nil when that leaves nothing.
    public init?(fileContents: String) {
        let trimmed = fileContents.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return nil }
        secret = Array(trimmed.utf8)
    }

    /// Whether the request carries the token, in its header or its query.
    public func admits(authorization: String?, query: String?) -> Bool {
        var offered: [String] = []
        if let authorization, authorization.lowercased().hasPrefix("bearer ") {
            offered.append(String(authorization.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces))
        }
        if let token = Self.queryValue("token", in: query) { offered.append(token) }
        // Every candidate is compared in full, so the answer's timing says nothing about which one matched.
        return offered.reduce(false) { matched, candidate in Self.same(Array(candidate.utf8), secret) || matched }
    }

    /// Constant time for a given secret length: every byte is looked at, whatever differs first.
    static func same(_ offered: [UInt8], _ secret: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: offered.count ^ secret.count)
        for index in secret.indices {
            difference |= secret[index] ^ (index < offered.count ? offered[index] : 0)
        }
        return difference == 0
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
