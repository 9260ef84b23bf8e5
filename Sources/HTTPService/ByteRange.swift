import Foundation

/// What a `Range` header asks of a file of known size (RFC 9110 §14): all of it, one part, or nothing it has.
public enum RangeAnswer: Equatable, Sendable {
    /// 200 with the whole file: no header, a header we do not serve (several ranges, other units), or garbage.
    case whole
    /// 206 with bytes `first...last`.
    case part(first: Int, last: Int)
    /// 416: the range starts past the end.
    case unsatisfiable

    /// `bytes=0-499`, `bytes=500-`, `bytes=-500` (the last 500). Several ranges are answered whole, as RFC 9110
    /// allows; iPXE, curl and wget ask for one.
    public init(header: String?, size: Int) {
        guard let header, let spec = header.split(separator: "=", maxSplits: 1).last,
              header.lowercased().hasPrefix("bytes="), !spec.contains(",") else {
            self = .whole
            return
        }
        let parts = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
            .map { String($0).trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2 else {
            self = .whole
            return
        }
        if parts[0].isEmpty {
            // A suffix: the last N bytes.
            guard let count = Int(parts[1]), count >= 0, parts[1].allSatisfy(\Character.isASCIIDigit) else {
                self = .whole
                return
            }
            self = count == 0 || size == 0 ? .unsatisfiable : .part(first: max(0, size - count), last: size - 1)
            return
        }
        guard parts[0].allSatisfy(\Character.isASCIIDigit), let first = Int(parts[0]) else {
            self = .whole
            return
        }
        var last = size - 1
        if !parts[1].isEmpty {
            guard parts[1].allSatisfy(\Character.isASCIIDigit), let end = Int(parts[1]), end >= first else {
                self = .whole
                return
            }
            last = min(end, size - 1)
        }
        self = first >= size ? .unsatisfiable : .part(first: first, last: last)
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
