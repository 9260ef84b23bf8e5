import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A secret read from a file: `server.http_token_file`, `server.leases.password_file` and `bmc.password_file`
/// are all read here, so one file gives one secret everywhere.
///
/// The rule:
///
/// - The secret is the file's content with **one** trailing newline (`\n` or `\r\n`) removed, so
///   `echo TOKEN > file` and an editor's final newline both give `TOKEN`. Nothing else is trimmed: a space
///   or tab is part of the secret, at either end.
/// - It is one line of UTF-8 text: a line break left inside it (`\n` or `\r`, e.g. a second line or a blank
///   line at the end) or bytes that are not UTF-8 are refused.
/// - Refused too: an empty secret (an empty file, or a newline alone), a file larger than 64 KiB
///   (`maximumSize`), and anything but a regular file (a directory, a FIFO, a device). Symbolic links are
///   followed.
/// - A file that its group or others can read is used, with a warning (`warning`) for the caller to log;
///   `netroot check` prints the same warning for every secret file nodes.yaml names.
/// - systemd credentials: when `$CREDENTIALS_DIRECTORY` is set and holds a credential named like the
///   configured path's last component, the credential is read instead of the path: `http_token_file:
///   /etc/credstore/netroot-http-token` is read from `$CREDENTIALS_DIRECTORY/netroot-http-token`, which the
///   unit's `LoadCredential=netroot-http-token` (or `LoadCredential=netroot-http-token:/any/path`) provides.
///   systemd copies a credential for the service's user alone (mode 0400), so a service with `DynamicUser=`
///   uses secrets that stay root-owned and 0600. Without such a credential, the path is read.
///
/// Every failure is one `SecretFileError` whose description is one line naming the file.
public struct SecretFile: Sendable, Equatable {
    /// Larger files are refused: no password or token is anywhere near this long.
    public static let maximumSize = 64 * 1024
    /// The environment variable systemd sets to the service's credentials directory.
    public static let credentialsVariable = "CREDENTIALS_DIRECTORY"

    /// The path as configured.
    public let path: String
    /// Where the secret was read: `path`, or the systemd credential standing in for it.
    public let source: String
    /// The secret: one line, never empty.
    public let secret: String
    /// Set when the file read is readable by its group or others.
    public let warning: SecretFileWarning?

    /// The secret's bytes (UTF-8).
    public var bytes: [UInt8] { Array(secret.utf8) }
    /// Whether the secret came from a systemd credential.
    public var fromCredential: Bool { source != path }

    /// Reads the secret `path` names, by the rule above. `environment` is the process's unless a test gives one.
    public static func read(_ path: String,
                            environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(SecretFileError) -> SecretFile {
        let source = location(of: path, environment: environment)
        func failure(_ problem: SecretFileError.Problem) -> SecretFileError {
            SecretFileError(path: path, source: source, problem: problem)
        }
        let descriptor = open(source, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard descriptor >= 0 else { throw failure(.unreadable(errno: errno)) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw failure(.unreadable(errno: errno)) }
        let type = UInt32(status.st_mode) & FileType.mask
        guard type == FileType.regular else { throw failure(.notRegularFile(FileType.name(type))) }
        guard status.st_size <= maximumSize else { throw failure(.tooLarge) }

        var content: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while content.count <= maximumSize {
            let count = buffer.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure(.unreadable(errno: errno))
            }
            if count == 0 { break }
            content.append(contentsOf: buffer[..<count])
        }
        guard content.count <= maximumSize else { throw failure(.tooLarge) }

        let secret = try Self.secret(content, path: path, source: source)
        return SecretFile(path: path, source: source, secret: secret,
                          warning: SecretFileWarning(path: source, mode: UInt32(status.st_mode)))
    }

    /// The secret in a file's content: one trailing `\n` or `\r\n` removed, then one non-empty line of UTF-8.
    static func secret(_ content: [UInt8], path: String, source: String) throws(SecretFileError) -> String {
        var bytes = content[...]
        if bytes.last == UInt8(ascii: "\n") {
            bytes = bytes.dropLast()
            if bytes.last == UInt8(ascii: "\r") { bytes = bytes.dropLast() }
        }
        guard !bytes.isEmpty else { throw SecretFileError(path: path, source: source, problem: .empty) }
        guard !bytes.contains(UInt8(ascii: "\n")), !bytes.contains(UInt8(ascii: "\r")) else {
            throw SecretFileError(path: path, source: source, problem: .lineBreak)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw SecretFileError(path: path, source: source, problem: .notUTF8)
        }
        return text
    }

    /// The file `read` reads for `path`: its systemd credential when `environment` has a credentials directory
    /// holding one named like `path`'s last component, else `path` itself.
    public static func location(of path: String,
                                environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        guard let directory = environment[credentialsVariable], !directory.isEmpty,
              let name = credentialName(for: path) else { return path }
        let candidate = directory.hasSuffix("/") ? directory + name : directory + "/" + name
        var status = stat()
        return stat(candidate, &status) == 0 ? candidate : path
    }

    /// The credential that stands in for `path`: its last component (nil for `/`, `.` or `..`).
    public static func credentialName(for path: String) -> String? {
        guard let last = path.split(separator: "/").last, last != ".", last != ".." else { return nil }
        return String(last)
    }

    /// st_mode's file type bits (the C macros do not reach Swift).
    private enum FileType {
        static let mask: UInt32 = 0o170000
        static let regular: UInt32 = 0o100000

        static func name(_ type: UInt32) -> String {
            switch type {
            case 0o040000: "a directory"
            case 0o010000: "a FIFO"
            case 0o140000: "a socket"
            case 0o020000: "a character device"
            case 0o060000: "a block device"
            default: "not a regular file"
            }
        }
    }
}

/// Why a secret file gave no secret: one line naming the file (and the credential read in its place).
public struct SecretFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Problem: Sendable, Equatable {
        /// open(2) or read(2) failed with this errno.
        case unreadable(errno: Int32)
        /// A directory, a FIFO, …: what it is.
        case notRegularFile(String)
        case empty
        case tooLarge
        case lineBreak
        case notUTF8
    }

    /// The path as configured.
    public let path: String
    /// The file read: `path` or its systemd credential.
    public let source: String
    public let problem: Problem

    public init(path: String, source: String, problem: Problem) {
        self.path = path
        self.source = source
        self.problem = problem
    }

    /// E.g. `/etc/netroot/token is empty`; a caller puts the key in front: `http_token_file /etc/… is empty`.
    public var description: String {
        let file = source == path ? path : "\(path) (read as the systemd credential \(source))"
        return "\(file) \(what)"
    }

    /// What is wrong, after the file's name.
    public var what: String {
        switch problem {
        case .unreadable(let code) where code == ENOENT:
            return "does not exist"
        case .unreadable(let code) where code == EACCES && source == path:
            let name = SecretFile.credentialName(for: path) ?? "NAME"
            return "cannot be read (permission denied); a service with DynamicUser= gets a root-only secret as a "
                + "credential: LoadCredential=\(name):\(path)"
        case .unreadable(let code):
            return "cannot be read (\(String(cString: strerror(code))))"
        case .notRegularFile(let kind):
            return kind == "not a regular file" ? "is not a regular file" : "is \(kind), not a regular file"
        case .empty:
            return "is empty"
        case .tooLarge:
            return "is larger than \(SecretFile.maximumSize / 1024) KiB; a secret is one line"
        case .lineBreak:
            return "holds more than one line; a secret is one line (only a trailing newline is removed)"
        case .notUTF8:
            return "is not UTF-8 text"
        }
    }
}

/// A secret file its group or others can read: still used, but said.
public struct SecretFileWarning: Sendable, Equatable, CustomStringConvertible {
    /// The file read.
    public let path: String
    /// Its permission bits.
    public let mode: UInt32

    /// Nil when only the owner can read the file.
    public init?(path: String, mode: UInt32) {
        guard Self.readers(mode) != nil else { return nil }
        self.path = path
        self.mode = mode & 0o7777
    }

    /// `group and others`, `others` or `group`.
    public var readers: String { Self.readers(mode) ?? "" }

    /// E.g. `/etc/netroot/token is readable by group and others (mode 0644); chmod 600 it`.
    public var description: String { "\(path) is readable by \(readers) (mode \(Self.octal(mode))); chmod 600 it" }

    /// Who besides the owner can read a file with `mode`: `group and others`, `others`, `group`; nil for nobody.
    public static func readers(_ mode: UInt32) -> String? {
        switch (mode & 0o040 != 0, mode & 0o004 != 0) {
        case (true, true): "group and others"
        case (false, true): "others"
        case (true, false): "group"
        case (false, false): nil
        }
    }

    /// Permission bits as four octal digits: `0644`.
    public static func octal(_ mode: UInt32) -> String {
        let text = String(mode & 0o7777, radix: 8)
        return String(repeating: "0", count: max(0, 4 - text.count)) + text
    }
}

/// read(2), out of reach of `SecretFile.read`'s name.
private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.read(descriptor, buffer, count)
    #else
    Darwin.read(descriptor, buffer, count)
    #endif
}
