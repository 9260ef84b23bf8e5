import DHCP
import Foundation
import Inventory
import Testing

/// Hostile inputs kept in Crashers/: each one decodes (and then goes through re-encoding and the responder,
/// as the fuzz target does) or is refused with the reason listed here. `integration/fuzz dhcp` copies any new
/// crasher into the folder; one not listed below must decode or be refused, whichever.
@Suite struct DHCPCrasherTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Crashers")

    /// What each kept input must give: nil decodes, else the reason it is refused.
    static let expected: [String: DHCPDecodeError?] = [
        "overload-both-fields": nil, // option 52 = 3: the message type comes from `sname`
        "overload-repeated-in-file": .badOverload, // option 52 again inside `file`: a loop if followed
        "overload-sname-overrun": .optionOverrun, // an option in `sname` running past its 64 bytes
        "overload-value-zero": .badOverload,
        "overload-two-bytes": .badOverload,
        "code-without-length": .optionWithoutLength,
        "length-past-end": .optionOverrun,
        "hardware-length-17": .badHardwareLength,
        "hardware-length-0": nil, // Ethernet without a MAC: no lease can be keyed by it
        "hardware-type-token-ring": nil,
        "message-type-empty": .badOptionLength,
        "message-type-unknown": nil,
        "requested-address-3-bytes": .badOptionLength,
        "server-identifier-5-bytes": .badOptionLength,
        "parameter-list-empty": .badOptionLength,
        "parameter-list-every-code": nil, // pad and end asked for too
        "maximum-size-zero": nil, // replies still fit the 576 bytes every client accepts
        "maximum-size-ones": nil,
        "no-end-option": nil,
        "header-and-cookie-only": nil,
        "one-byte-short": .tooShort,
        "operation-zero": .tooShort,
        "bootreply": nil,
        "bad-cookie": .badMagicCookie,
        "relay-unknown-subnet": .badOptionLength, // an empty relay agent option
        "relay-agent-info-max": nil,
        "renewal-through-relay": nil,
        "client-identifier-empty": .badOptionLength,
        "vendor-class-256": nil,
        "pad-to-1500": nil,
        "decline-without-address": nil,
        "release-of-unknown": nil,
        "inform-broadcast-flag": nil,
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
    func decodesOrIsRefused(file: String) throws {
        let bytes = try [UInt8](Data(contentsOf: Self.directory.appendingPathComponent(file)))
        let outcome = Result { () throws(DHCPDecodeError) in try DHCPMessage(decoding: bytes) }
        switch (outcome, Self.expected[file]) {
        case (.success(let message), nil), (.success(let message), .some(nil)):
            // What the fuzz target checks: re-encoding gives a message that decodes, the responder answers.
            let reencoded = message.encoded(maximumSize: 1500)
            #expect((try? DHCPMessage(decoding: reencoded)) != nil, "\(file): re-encoded form does not decode")
            let responder = Responder(inventory: try testInventory())
            var leases = LeaseTable()
            for _ in 0..<2 {
                _ = responder.respond(to: message, context: RequestContext(serverAddress: serverAddress, now: startTime),
                                      leases: &leases)
            }
        case (.failure(let error), .some(.some(let reason))):
            #expect(error == reason, "\(file)")
        case (.failure(let error), nil):
            _ = error // a new crasher: refused is as good as decoded
        case (.success, .some(.some(let reason))):
            Issue.record("\(file) decoded; expected it refused: \(reason)")
        case (.failure(let error), .some(nil)):
            Issue.record("\(file) refused (\(error)); expected it to decode")
        }
    }
}
