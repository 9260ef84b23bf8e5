import Foundation
import TFTP
import Testing

/// Hostile inputs kept in Crashers/: each one parses (and then goes through negotiation, path normalisation and
/// a transfer, as the fuzz target does) or is refused with the reason listed here. `integration/fuzz tftp`
/// copies any new crasher into the folder; one not listed below must parse or be refused, whichever.
@Suite struct TFTPCrasherTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Crashers")

    /// What each kept input must give: nil parses, else the reason it is refused.
    static let expected: [String: TFTPParseError?] = [
        "request-without-terminator": .missingTerminator,
        "request-mode-without-terminator": .missingTerminator,
        "request-empty-name": .emptyFileName,
        "request-option-without-value": .optionWithoutValue,
        "blksize-beyond-int": nil, // negotiation refuses it (error 8) instead of overflowing
        "blksize-negative": nil,
        "blksize-7": nil,
        "windowsize-zero-timeout-zero": nil,
        "windowsize-65536": nil,
        "options-twice": nil,
        "tsize-garbage": nil,
        "path-escapes": nil, // parsed; the root refuses it
        "name-invalid-utf8": nil,
        "mode-netascii-uppercase": nil,
        "mode-mail": nil,
        "write-request": nil,
        "data-block-0-empty": nil,
        "data-header-cut": .tooShort,
        "ack-block-65535": nil,
        "ack-cut": .tooShort,
        "error-without-terminator": nil,
        "error-code-only": nil,
        "oack-odd": .optionWithoutValue,
        "oack-empty": nil,
        "opcode-9": .unknownOpcode(9),
        "one-byte": .tooShort,
    ]

    static var files: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    @Test func theFolderHoldsEveryListedInput() {
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: Self.directory.path, isDirectory: &isDirectory) && isDirectory.boolValue)
        #expect(!Self.files.isEmpty)
        #expect(Set(Self.expected.keys).subtracting(Self.files).sorted() == [], "inputs missing from Crashers/")
    }

    @Test(arguments: files)
    func parsesOrIsRefused(file: String) throws {
        let bytes = try [UInt8](Data(contentsOf: Self.directory.appendingPathComponent(file)))
        let outcome = Result { () throws(TFTPParseError) in try TFTPPacket(parsing: ArraySlice(bytes)) }
        switch (outcome, Self.expected[file]) {
        case (.success(let packet), nil), (.success(let packet), .some(nil)):
            // What the fuzz target checks: the packet survives encoding; a request negotiates; a transfer takes it.
            #expect((try? TFTPPacket(parsing: ArraySlice(packet.encoded))) == packet, "\(file): changed by encoding")
            if case let .readRequest(filename, _, options) = packet {
                _ = RootDirectory.normalize(filename)
                _ = TransferOptions.negotiate(options, size: 1_000_000, limits: .init(mtu: 1500))
            }
            let now = ContinuousClock.now
            var transfer = Transfer(size: 4096, options: TransferOptions(), now: now)
            _ = transfer.start(now: now)
            _ = transfer.receive(packet, now: now)
            _ = transfer.tick(now: now + .seconds(10))
        case (.failure(let error), .some(.some(let reason))):
            #expect(error == reason, "\(file)")
        case (.failure(let error), nil):
            _ = error // a new crasher: refused is as good as parsed
        case (.success, .some(.some(let reason))):
            Issue.record("\(file) parsed; expected it refused: \(reason)")
        case (.failure(let error), .some(nil)):
            Issue.record("\(file) refused (\(error)); expected it to parse")
        }
    }

    @Test func everyTruncationOfARequestIsParsedOrRefused() {
        let request: [UInt8] = [0, 1] + Array("pxelinux.0\0octet\0tsize\00\0blksize\01408\0".utf8)
        var refused = 0
        for length in 0...request.count {
            if (try? TFTPPacket(parsing: request.prefix(length))) == nil { refused += 1 }
        }
        #expect(refused > 0)
        #expect((try? TFTPPacket(parsing: ArraySlice(request))) != nil)
    }
}
