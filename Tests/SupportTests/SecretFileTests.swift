import Foundation
import Support
import Testing

@Suite("SecretFile: one rule for every secret file")
struct SecretFileTests {
    /// A fresh directory, removed after `body`.
    private func inDirectory(_ body: (String) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("secretfile-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try body(directory)
    }

    @discardableResult
    private func write(_ bytes: [UInt8], to path: String, mode: Int = 0o600) throws -> String {
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        return path
    }

    private func write(_ text: String, to path: String, mode: Int = 0o600) throws {
        try write(Array(text.utf8), to: path, mode: mode)
    }

    private func problem(_ path: String, environment: [String: String] = [:]) -> SecretFileError.Problem? {
        do {
            _ = try SecretFile.read(path, environment: environment)
            return nil
        } catch {
            return error.problem
        }
    }

    @Test("one trailing newline is removed, and nothing else")
    func trailingNewline() throws {
        try inDirectory { directory in
            try write("s3cret\n", to: directory + "/a")
            #expect(try SecretFile.read(directory + "/a", environment: [:]).secret == "s3cret")
            try write("s3cret", to: directory + "/b")
            #expect(try SecretFile.read(directory + "/b", environment: [:]).secret == "s3cret")
            try write("s3cret\r\n", to: directory + "/crlf")
            #expect(try SecretFile.read(directory + "/crlf", environment: [:]).secret == "s3cret")
        }
    }

    @Test("spaces and tabs are part of the secret, at either end")
    func spacesKept() throws {
        try inDirectory { directory in
            try write("s3cret \n", to: directory + "/a")
            #expect(try SecretFile.read(directory + "/a", environment: [:]).secret == "s3cret ")
            try write(" \ts3 cret\t", to: directory + "/b")
            let file = try SecretFile.read(directory + "/b", environment: [:])
            #expect(file.secret == " \ts3 cret\t")
            #expect(file.bytes == Array(" \ts3 cret\t".utf8))
        }
    }

    @Test("an empty secret is refused: an empty file, a newline alone")
    func emptyRefused() throws {
        try inDirectory { directory in
            try write("", to: directory + "/empty")
            #expect(problem(directory + "/empty") == .empty)
            try write("\n", to: directory + "/newline")
            #expect(problem(directory + "/newline") == .empty)
            try write("\r\n", to: directory + "/crlf")
            #expect(problem(directory + "/crlf") == .empty)
            #expect(throws: SecretFileError.self) { try SecretFile.read(directory + "/empty", environment: [:]) }
            do {
                _ = try SecretFile.read(directory + "/empty", environment: [:])
            } catch let error as SecretFileError {
                #expect(error.description == "\(directory)/empty is empty")
            }
        }
    }

    @Test("a secret is one line: a second line or a blank last line is refused; so is text that is not UTF-8")
    func oneLine() throws {
        try inDirectory { directory in
            try write("s3cret\n\n", to: directory + "/blank")
            #expect(problem(directory + "/blank") == .lineBreak)
            try write("s3cret\nmore\n", to: directory + "/two")
            #expect(problem(directory + "/two") == .lineBreak)
            try write("s3cret\r", to: directory + "/cr")
            #expect(problem(directory + "/cr") == .lineBreak)
            try write([0x73, 0xff, 0x0a], to: directory + "/binary")
            #expect(problem(directory + "/binary") == .notUTF8)
        }
    }

    @Test("a file its group or others can read gives a warning; 0600 and 0400 give none")
    func permissions() throws {
        try inDirectory { directory in
            try write("s3cret\n", to: directory + "/private", mode: 0o600)
            #expect(try SecretFile.read(directory + "/private", environment: [:]).warning == nil)
            try write("s3cret\n", to: directory + "/readonly", mode: 0o400)
            #expect(try SecretFile.read(directory + "/readonly", environment: [:]).warning == nil)

            try write("s3cret\n", to: directory + "/public", mode: 0o644)
            let file = try SecretFile.read(directory + "/public", environment: [:])
            #expect(file.secret == "s3cret")
            #expect(file.warning?.description
                    == "\(directory)/public is readable by group and others (mode 0644); chmod 600 it")
            try write("s3cret\n", to: directory + "/group", mode: 0o640)
            #expect(try SecretFile.read(directory + "/group", environment: [:]).warning?.readers == "group")
            try write("s3cret\n", to: directory + "/others", mode: 0o604)
            #expect(try SecretFile.read(directory + "/others", environment: [:]).warning?.readers == "others")
        }
    }

    @Test("a credential in $CREDENTIALS_DIRECTORY named like the path's last component wins over the path")
    func credentialWins() throws {
        try inDirectory { directory in
            let credentials = directory + "/credentials"
            try FileManager.default.createDirectory(atPath: credentials, withIntermediateDirectories: false)
            try write("from-the-credential\n", to: credentials + "/netroot-http-token", mode: 0o400)
            try write("from-the-file\n", to: directory + "/netroot-http-token", mode: 0o644)
            let environment = ["CREDENTIALS_DIRECTORY": credentials]

            let file = try SecretFile.read(directory + "/netroot-http-token", environment: environment)
            #expect(file.secret == "from-the-credential")
            #expect(file.source == credentials + "/netroot-http-token")
            #expect(file.fromCredential)
            #expect(file.warning == nil)
            // The same rule applies to the credential: one trailing newline removed, an empty one refused.
            try write("", to: credentials + "/empty-token", mode: 0o400)
            try write("unused\n", to: directory + "/empty-token")
            #expect(problem(directory + "/empty-token", environment: environment) == .empty)

            // No credential of that name: the path is read.
            try write("other\n", to: directory + "/db-password")
            let other = try SecretFile.read(directory + "/db-password", environment: environment)
            #expect(other.secret == "other")
            #expect(!other.fromCredential)
            // Without the variable, the path is read.
            #expect(try SecretFile.read(directory + "/netroot-http-token", environment: [:]).secret
                    == "from-the-file")
            #expect(SecretFile.location(of: directory + "/netroot-http-token", environment: environment)
                    == credentials + "/netroot-http-token")
        }
    }

    @Test("a directory, a missing file and a file over 64 KiB are refused, each in one line naming it")
    func refused() throws {
        try inDirectory { directory in
            #expect(problem(directory) == .notRegularFile("a directory"))
            #expect(problem(directory + "/missing") == .unreadable(errno: ENOENT))
            try write([UInt8](repeating: 0x61, count: SecretFile.maximumSize + 1), to: directory + "/large")
            #expect(problem(directory + "/large") == .tooLarge)
            try write([UInt8](repeating: 0x61, count: SecretFile.maximumSize), to: directory + "/limit")
            #expect(try SecretFile.read(directory + "/limit", environment: [:]).secret.utf8.count
                    == SecretFile.maximumSize)

            for (path, words) in [(directory, "is a directory, not a regular file"),
                                  (directory + "/missing", "does not exist"),
                                  (directory + "/large", "is larger than 64 KiB; a secret is one line")] {
                do {
                    _ = try SecretFile.read(path, environment: [:])
                    Issue.record("\(path) was read")
                } catch let error as SecretFileError {
                    #expect(error.description == "\(path) \(words)")
                    #expect(!error.description.contains("\n"))
                }
            }
        }
    }
}
