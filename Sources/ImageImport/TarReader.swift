/// One member of a tar archive (ustar, GNU and pax forms).
struct TarEntry: Equatable {
    enum Kind: Equatable {
        case file, hardLink, symlink, characterDevice, blockDevice, directory, fifo
    }

    var path: String
    var kind: Kind
    var mode: UInt32
    var uid: UInt32
    var gid: UInt32
    var size: Int64
    var modificationTime: Int64
    /// The target of a symlink or hard link.
    var linkTarget: String
    var deviceMajor: UInt32
    var deviceMinor: UInt32
}

/// Reads tar members in order. Never traps on hostile input: a bad header is `ArchiveError`.
final class TarReader {
    private let stream: any ByteStream
    /// Bytes of the current member's content (and its padding) not yet read.
    private var remaining: Int64 = 0
    private var padding: Int64 = 0
    /// Set by pax 'g' records; pax 'x' and GNU 'L'/'K' apply to the next member only.
    private var globalPax: [String: String] = [:]

    init(_ stream: any ByteStream) { self.stream = stream }

    var position: Int64 { stream.position }

    /// The next member, or nil at the end of the archive.
    func next() throws -> TarEntry? {
        try skipContent()
        var pax: [String: String] = [:]
        var longName: String?
        var longLink: String?
        while true {
            let header = try stream.read(512)
            if header.isEmpty { return nil } // some writers omit the closing zero blocks
            guard header.count == 512 else { throw ArchiveError("the archive is truncated (a partial header)") }
            if header.allSatisfy({ $0 == 0 }) { return nil }
            try Self.verifyChecksum(header)
            let type = header[156]
            let size = try Self.number(header, 124, 12, "size")
            guard size >= 0 else { throw ArchiveError("a member has a negative size") }
            switch type {
            case UInt8(ascii: "x"), UInt8(ascii: "g"):
                let records = try Self.paxRecords(try readWhole(size))
                if type == UInt8(ascii: "x") { pax.merge(records) { $1 } } else { globalPax.merge(records) { $1 } }
                continue
            case UInt8(ascii: "L"):
                longName = Self.text(try readWhole(size))
                continue
            case UInt8(ascii: "K"):
                longLink = Self.text(try readWhole(size))
                continue
            default:
                break
            }
            let attributes = globalPax.merging(pax) { $1 }
            var path = Self.text(header[0..<100])
            let magic = Array(header[257..<263])
            if magic == Array("ustar\0".utf8) {
                let prefix = Self.text(header[345..<500])
                if !prefix.isEmpty { path = prefix + "/" + path }
            }
            path = attributes["path"] ?? longName ?? path
            let kind: TarEntry.Kind
            switch type {
            case 0, UInt8(ascii: "0"), UInt8(ascii: "7"): kind = path.hasSuffix("/") ? .directory : .file
            case UInt8(ascii: "1"): kind = .hardLink
            case UInt8(ascii: "2"): kind = .symlink
            case UInt8(ascii: "3"): kind = .characterDevice
            case UInt8(ascii: "4"): kind = .blockDevice
            case UInt8(ascii: "5"): kind = .directory
            case UInt8(ascii: "6"): kind = .fifo
            default:
                // Unknown member types (sparse files, volume labels) are skipped, as GNU tar warns and goes on.
                begin(size)
                try skipContent()
                pax = [:]
                longName = nil
                longLink = nil
                continue
            }
            let contentSize = attributes["size"].flatMap { Int64($0) } ?? size
            let headerUID = try Self.number(header, 108, 8, "uid")
            let headerGID = try Self.number(header, 116, 8, "gid")
            let headerTime = try Self.number(header, 136, 12, "mtime")
            let entry = TarEntry(
                path: path, kind: kind, mode: UInt32(try Self.number(header, 100, 8, "mode") & 0o7777),
                uid: UInt32(truncatingIfNeeded: attributes["uid"].flatMap { Int64($0) } ?? headerUID),
                gid: UInt32(truncatingIfNeeded: attributes["gid"].flatMap { Int64($0) } ?? headerGID),
                size: kind == .file ? contentSize : 0,
                modificationTime: attributes["mtime"].flatMap { Double($0) }.map { Int64($0) } ?? headerTime,
                linkTarget: attributes["linkpath"] ?? longLink ?? Self.text(header[157..<257]),
                deviceMajor: UInt32(truncatingIfNeeded: try Self.number(header, 329, 8, "device major")),
                deviceMinor: UInt32(truncatingIfNeeded: try Self.number(header, 337, 8, "device minor")))
            // Hard links and the like may still carry a size; it is content to skip.
            begin(kind == .file ? contentSize : (kind == .directory ? 0 : size))
            return entry
        }
    }

    /// The current member's content in chunks.
    func readContent(_ body: ([UInt8]) throws -> Void) throws {
        while remaining > 0 {
            let chunk = try stream.read(Int(min(remaining, 1 << 20)))
            guard !chunk.isEmpty else { throw ArchiveError("the archive is truncated (inside a member)") }
            remaining -= Int64(chunk.count)
            try body(chunk)
        }
        try skipPadding()
    }

    func skipContent() throws {
        try readContent { _ in }
    }

    private func begin(_ size: Int64) {
        remaining = size
        padding = (512 - size % 512) % 512
    }

    private func skipPadding() throws {
        if padding > 0 {
            let skipped = try stream.read(Int(padding))
            guard skipped.count == Int(padding) else { throw ArchiveError("the archive is truncated (padding)") }
            padding = 0
        }
    }

    private func readWhole(_ size: Int64) throws -> [UInt8] {
        guard size <= 1 << 20 else { throw ArchiveError("an extended header is implausibly large (\(size) bytes)") }
        begin(size)
        var bytes: [UInt8] = []
        try readContent { bytes += $0 }
        return bytes
    }

    private static func verifyChecksum(_ header: [UInt8]) throws {
        var unsigned = 0
        for (index, byte) in header.enumerated() { unsigned += (148..<156).contains(index) ? 32 : Int(byte) }
        let stored = try number(header, 148, 8, "checksum")
        // Some old writers summed signed chars.
        var signed = 0
        for (index, byte) in header.enumerated() { signed += (148..<156).contains(index) ? 32 : Int(Int8(bitPattern: byte)) }
        guard stored == unsigned || stored == signed else {
            throw ArchiveError("the archive is corrupt (header checksum mismatch)")
        }
    }

    /// An octal field, or GNU base-256 when its first byte has the high bit set.
    static func number(_ header: [UInt8], _ offset: Int, _ length: Int, _ field: String) throws -> Int64 {
        let bytes = header[offset..<(offset + length)]
        if let first = bytes.first, first & 0x80 != 0 {
            var value: Int64 = Int64(first & 0x3f)
            for byte in bytes.dropFirst() {
                guard value < Int64.max >> 8 else { throw ArchiveError("the archive is corrupt (\(field) too large)") }
                value = value << 8 | Int64(byte)
            }
            return first & 0x40 != 0 ? -value : value
        }
        var value: Int64 = 0
        var seenDigit = false
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                guard value < Int64.max >> 3 else { throw ArchiveError("the archive is corrupt (\(field) too large)") }
                value = value << 3 | Int64(byte - UInt8(ascii: "0"))
                seenDigit = true
            case 0, UInt8(ascii: " "):
                if seenDigit { return value }
            default:
                throw ArchiveError("the archive is corrupt (\(field) is not a number)")
            }
        }
        return value
    }

    /// `LENGTH KEY=VALUE\n` records.
    private static func paxRecords(_ bytes: [UInt8]) throws -> [String: String] {
        var records: [String: String] = [:]
        var index = 0
        while index < bytes.count {
            guard let space = bytes[index...].firstIndex(of: UInt8(ascii: " ")),
                  let length = Int(String(decoding: bytes[index..<space], as: UTF8.self)), length > 0,
                  index + length <= bytes.count, length > space - index + 1 else {
                throw ArchiveError("the archive is corrupt (a pax record is malformed)")
            }
            let record = bytes[(space + 1)..<(index + length - 1)]
            if let equals = record.firstIndex(of: UInt8(ascii: "=")) {
                records[String(decoding: record[..<equals], as: UTF8.self)] =
                    String(decoding: record[(equals + 1)...], as: UTF8.self)
            }
            index += length
        }
        return records
    }

    private static func text<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }
}
