/// `server.leases`: where leases are kept. Absent: the journal in `state_dir`.
public struct LeaseStoreSettings: Sendable, Equatable {
    /// Where leases live.
    public enum Backend: String, Sendable, CaseIterable {
        /// The append-only journal in `state_dir` (one appliance).
        case journal
        /// A PostgreSQL database several appliances share.
        case postgresql
    }

    /// How the database connection is encrypted (libpq's `sslmode` names).
    public enum TLSMode: String, Sendable, CaseIterable {
        case disable
        case prefer
        case require
        case verifyFull = "verify-full"
    }

    public var backend: Backend = .journal
    /// The database (postgresql only).
    public var url: DatabaseURL?
    /// A file whose first line is the database password (absolute path).
    public var passwordFile: String?
    /// As configured (`tls`, else the url's `sslmode`); nil: the default for the endpoint (`effectiveTLS`).
    public var tls: TLSMode?
    /// CA certificates (PEM) the server's certificate must chain to, for `verify-full`.
    public var tlsCAFile: String?
    /// This appliance's name in the database; nil: its server address.
    public var name: String?
    /// Seconds without a heartbeat after which a partner's share is answered by the others.
    public var heartbeatTimeout: Int = LeaseStoreSettings.defaultHeartbeatTimeout
    /// A pool client whose `secs` is at least this is answered by every appliance (RFC 3074 §4); 0: never.
    public var loadBalanceMaximumSeconds: Int = LeaseStoreSettings.defaultLoadBalanceMaximumSeconds

    /// The mode used: as configured, else `verify-full` for a database reached over TCP (the password and the
    /// leases cross a network, and only a verified certificate proves whom they reach) and `disable` for a Unix
    /// socket (local, and PostgreSQL offers no TLS there).
    public var effectiveTLS: TLSMode {
        if case .unixSocket = url?.endpoint { return tls ?? .disable }
        return tls ?? .verifyFull
    }

    public static let defaultHeartbeatTimeout = 10
    public static let defaultLoadBalanceMaximumSeconds = 3
    public static let journal = LeaseStoreSettings()

    public init() {}
}

/// A PostgreSQL connection URL, libpq style: `postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?host=/socket/dir]`.
/// A host that is a directory (percent-encoded in the authority, or `?host=/dir`) means a Unix socket there.
public struct DatabaseURL: Sendable, Equatable, CustomStringConvertible {
    /// How to reach the server.
    public enum Endpoint: Sendable, Equatable {
        case tcp(host: String, port: Int)
        /// The directory holding the server's socket `.s.PGSQL.PORT`.
        case unixSocket(directory: String, port: Int)
    }

    public var user: String
    /// A password written in the URL (discouraged: `password_file` keeps it out of nodes.yaml).
    public var password: String?
    public var database: String
    public var endpoint: Endpoint
    /// `sslmode=` from the query, if given.
    public var sslMode: LeaseStoreSettings.TLSMode?

    /// The socket file for a Unix-socket endpoint.
    public var socketPath: String? {
        guard case .unixSocket(let directory, let port) = endpoint else { return nil }
        return (directory.hasSuffix("/") ? directory : directory + "/") + ".s.PGSQL.\(port)"
    }

    /// The URL without its password, for logs and `status`.
    public var description: String {
        switch endpoint {
        case .tcp(let host, let port):
            let shown = host.contains(":") ? "[\(host)]" : host
            return "postgresql://\(user)@\(shown):\(port)/\(database)"
        case .unixSocket(let directory, let port):
            return "postgresql://\(user)@/\(database)?host=\(directory)" + (port == 5432 ? "" : "&port=\(port)")
        }
    }

    /// Parses `text`, or says what is wrong with it.
    public static func parse(_ text: String) -> Result<DatabaseURL, DatabaseURLError> {
        if let space = text.unicodeScalars.first(where: { $0.properties.isWhitespace || $0.value < 0x20 }) {
            return .failure(.init("it contains \(space.value == 0x20 ? "a space" : "a blank or control character") "
                                      + "(percent-encode it, e.g. %20)"))
        }
        guard let schemeEnd = text.range(of: "://") else {
            return .failure(.init("it does not start with postgresql://"))
        }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "postgresql" || scheme == "postgres" else {
            return .failure(.init("the scheme is '\(scheme)', not postgresql"))
        }
        var rest = text[schemeEnd.upperBound...]
        var queryText: Substring = ""
        if let question = rest.firstIndex(of: "?") {
            queryText = rest[rest.index(after: question)...]
            rest = rest[..<question]
        }
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<slash]
        let path = slash < rest.endIndex ? rest[rest.index(after: slash)...] : ""
        var user = ""
        var password: String?
        var hostPort = authority
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            hostPort = authority[authority.index(after: at)...]
            let parts = userInfo.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = percentDecoded(parts[0]) else { return .failure(.init("the user name is badly encoded")) }
            user = name
            if parts.count == 2 {
                guard let secret = percentDecoded(parts[1]) else {
                    return .failure(.init("the password is badly encoded"))
                }
                password = secret
            }
        }
        var host = ""
        var port = 5432
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else { return .failure(.init("an IPv6 host lacks its ]")) }
            host = String(hostPort[hostPort.index(after: hostPort.startIndex)..<close])
            let after = hostPort[hostPort.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":"), let value = Int(after.dropFirst()), (1...65535).contains(value) else {
                    return .failure(.init("the port is not a number from 1 to 65535"))
                }
                port = value
            }
        } else {
            let parts = hostPort.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard let decoded = percentDecoded(parts[0]) else { return .failure(.init("the host is badly encoded")) }
            host = decoded
            if parts.count == 2 {
                guard let value = Int(parts[1]), (1...65535).contains(value) else {
                    return .failure(.init("the port '\(parts[1])' is not a number from 1 to 65535"))
                }
                port = value
            }
        }
        guard let database = percentDecoded(path), !database.isEmpty, !database.contains("/") else {
            return .failure(.init("it names no database (…/DATABASE at the end of the path)"))
        }
        var sslMode: LeaseStoreSettings.TLSMode?
        for pair in queryText.split(separator: "&") {
            let keyValue = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard keyValue.count == 2, let value = percentDecoded(keyValue[1]) else {
                return .failure(.init("the parameter '\(pair)' is not KEY=VALUE"))
            }
            switch keyValue[0] {
            case "host": host = value
            case "port":
                guard let number = Int(value), (1...65535).contains(number) else {
                    return .failure(.init("the port '\(value)' is not a number from 1 to 65535"))
                }
                port = number
            case "user": user = value
            case "sslmode":
                guard let mode = LeaseStoreSettings.TLSMode(rawValue: value) else {
                    return .failure(.init("sslmode '\(value)' is not disable, prefer, require or verify-full"))
                }
                sslMode = mode
            default:
                return .failure(.init("the parameter '\(keyValue[0])' is not one netroot knows "
                                          + "(host, port, user, sslmode)"))
            }
        }
        guard !user.isEmpty else { return .failure(.init("it names no user (postgresql://USER@…)")) }
        // libpq's default: the Unix socket in /var/run/postgresql when no host is given.
        let endpoint: Endpoint = host.isEmpty ? .unixSocket(directory: "/var/run/postgresql", port: port)
            : host.hasPrefix("/") ? .unixSocket(directory: host, port: port) : .tcp(host: host, port: port)
        return .success(DatabaseURL(user: user, password: password, database: database, endpoint: endpoint,
                                    sslMode: sslMode))
    }

    /// `%XX` escapes decoded; nil for a broken escape or bytes that are not UTF-8.
    static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var index = text.utf8.startIndex
        let utf8 = text.utf8
        while index < utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "%") {
                let first = utf8.index(after: index)
                guard first < utf8.endIndex, utf8.index(after: first) < utf8.endIndex,
                      let value = UInt8(String(decoding: [utf8[first], utf8[utf8.index(after: first)]], as: UTF8.self),
                                        radix: 16) else { return nil }
                bytes.append(value)
                index = utf8.index(first, offsetBy: 2)
            } else {
                bytes.append(byte)
                index = utf8.index(after: index)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}

/// Why a database URL cannot be used, completing "invalid url '…': …".
public struct DatabaseURLError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String

    init(_ description: String) { self.description = description }
}
