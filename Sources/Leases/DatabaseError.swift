import Foundation
import NIOSSL
import PostgresNIO

/// Database failures in words an administrator can act on, and whether retrying can help.
enum DatabaseError {
    /// A failure no retry mends: wrong password, unknown role or database, a schema netroot does not know.
    struct Fatal: Error, CustomStringConvertible {
        let description: String
    }

    /// The server's own message ("password authentication failed for user \"netroot\"") with its SQLSTATE, or
    /// the connection's failure ("connection refused").
    static func describe(_ error: any Error) -> String {
        if let fatal = error as? Fatal { return fatal.description }
        if let store = error as? LeaseStoreError { return store.description }
        guard let psql = error as? PSQLError else { return "\(error)" }
        if let info = psql.serverInfo, let message = info[.message] {
            let state = info[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
            return message + state
        }
        if let underlying = psql.underlying {
            if let certificate = certificateRefusal(underlying) { return certificate }
            if let io = underlying as? IOError { return "cannot connect: " + String(cString: strerror(io.errnoCode)) }
            return "\(underlying)"
        }
        switch psql.code {
        case .serverClosedConnection: return "the server closed the connection"
        case .clientClosedConnection: return "the connection was closed"
        case .connectionError: return "cannot connect"
        case .sslUnsupported:
            return "the server does not offer TLS, which tls requires (verify-full is the default over TCP; tls: "
                + "disable, with a warning, for a server without TLS)"
        case .authMechanismRequiresPassword: return "the server asks for a password and none is set (password_file)"
        case .unsupportedAuthMechanism: return "the server asks for an authentication method netroot does not speak"
        default: return "\(psql.code)"
        }
    }

    /// The words for a server certificate that `tls: verify-full` refused, nil for any other failure. The TLS
    /// library's own error follows, as the administrator's search terms.
    static func certificateRefusal(_ error: any Error) -> String? {
        if let extra = error as? NIOSSLExtraError, extra == .failedToValidateHostname {
            return "the database server's certificate does not name the host in url (tls verify-full: \(extra))"
        }
        if case .handshakeFailed(let cause) = error as? NIOSSLError, "\(cause)".contains("CERTIFICATE_VERIFY_FAILED") {
            return "the database server's certificate is not signed by a CA netroot trusts (tls verify-full trusts "
                + "tls_ca_file, else the system's CAs): \(cause)"
        }
        return nil
    }

    /// Whether the server refused one statement (it rolled back; the connection is still good), as opposed to
    /// the connection failing.
    static func isStatementFailure(_ error: any Error) -> Bool {
        guard let psql = error as? PSQLError, psql.code == .server, let state = psql.serverInfo?[.sqlState] else {
            return false
        }
        // Class 08 is the connection's; 57P01-03 the server shutting down.
        return !state.hasPrefix("08") && !state.hasPrefix("57P")
    }

    /// Whether the failure is the database saying no for good (class 28: authentication; 3D000: no such
    /// database; a server certificate `verify-full` refuses) rather than the database being away.
    static func isFatal(_ error: any Error) -> Bool {
        if error is Fatal { return true }
        guard let psql = error as? PSQLError else { return false }
        // A certificate refused is a setting to mend, like a wrong password; a handshake cut short is not.
        if let underlying = psql.underlying, certificateRefusal(underlying) != nil { return true }
        if psql.code == .authMechanismRequiresPassword || psql.code == .unsupportedAuthMechanism
            || psql.code == .sslUnsupported {
            return true
        }
        guard let state = psql.serverInfo?[.sqlState] else { return false }
        return state.hasPrefix("28") || state == "3D000"
    }
}
