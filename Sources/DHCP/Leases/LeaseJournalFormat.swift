import Inventory

/// The lease journal's line format: one change per line, plain text so an administrator can read it.
///
///     bind 52:54:00:00:00:01 192.168.1.11 1800003600 7 compute1
///     release 52:54:00:00:00:01 192.168.1.11
///
/// Fields: MAC, address, expiry (Unix seconds; `never` for infinite), firmware architecture (`-` if unknown),
/// host name (`-` if none).
public enum LeaseJournalFormat {
    public static func line(for update: LeaseUpdate) -> String {
        switch update {
        case .bind(let lease):
            let expires = lease.expires == Int64.max ? "never" : String(lease.expires)
            let architecture = lease.clientArchitecture.map { String($0) } ?? "-"
            let hostname = lease.hostname.flatMap { $0.isEmpty || $0.contains(where: \.isWhitespace) ? nil : $0 } ?? "-"
            return "bind \(lease.mac) \(lease.address) \(expires) \(architecture) \(hostname)\n"
        case .release(let mac, let address):
            return "release \(mac) \(address)\n"
        }
    }

    /// Nil for a line that is not a journal record (a torn write at the end after a crash, or damage).
    public static func update(from line: Substring) -> LeaseUpdate? {
        let fields = line.split(separator: " ", omittingEmptySubsequences: true)
        guard let kind = fields.first else { return nil }
        switch kind {
        case "bind":
            guard fields.count == 6, let mac = MACAddress(String(fields[1])),
                  let address = IPv4Address(String(fields[2])) else { return nil }
            let expires: Int64
            if fields[3] == "never" { expires = Int64.max } else {
                guard let value = Int64(fields[3]) else { return nil }
                expires = value
            }
            let architecture: UInt16?
            if fields[4] == "-" { architecture = nil } else {
                guard let value = UInt16(fields[4]) else { return nil }
                architecture = value
            }
            let hostname = fields[5] == "-" ? nil : String(fields[5])
            return .bind(Lease(mac: mac, address: address, expires: expires, state: .bound, hostname: hostname,
                               clientArchitecture: architecture))
        case "release":
            guard fields.count == 3, let mac = MACAddress(String(fields[1])),
                  let address = IPv4Address(String(fields[2])) else { return nil }
            return .release(mac: mac, address: address)
        default:
            return nil
        }
    }

    /// Replays journal text into a table. Only complete lines (ending in a newline) count.
    public static func replay(_ text: String, into table: inout LeaseTable) -> (applied: Int, damaged: Int) {
        var applied = 0
        var damaged = 0
        let complete = text.hasSuffix("\n") ? Substring(text) : text[..<(text.lastIndex(of: "\n").map { text.index(after: $0) } ?? text.startIndex)]
        if complete.count < text.count { damaged += 1 } // a torn last line from a crash mid-write
        for line in complete.split(separator: "\n") {
            if let update = update(from: line) {
                table.apply(update)
                applied += 1
            } else {
                damaged += 1
            }
        }
        return (applied, damaged)
    }
}
