import DHCP
import Foundation
import Inventory
import Testing

/// Mutated real captures and kept fuzz crashers go through decode and the responder without trapping.
@Suite struct HostileInputTests {
    @Test(arguments: CodecTests.fixtures)
    func everySingleByteCorruptionIsHandled(name: String) throws {
        let original = try captured(name)
        let responder = Responder(inventory: try testInventory())
        var leases = LeaseTable()
        var refused = 0
        for offset in stride(from: 0, to: original.count, by: 1) {
            for value: UInt8 in [0x00, 0xff, 0x35, 0x01] where original[offset] != value {
                var bytes = original
                bytes[offset] = value
                guard let message = try? DHCPMessage(decoding: bytes) else {
                    refused += 1
                    continue
                }
                _ = responder.respond(to: message, context: RequestContext(serverAddress: serverAddress, now: startTime),
                                      leases: &leases)
                #expect((try? DHCPMessage(decoding: message.encoded(maximumSize: 1500))) != nil)
            }
        }
        #expect(refused > 0, "some corruptions (the magic cookie) must be refused")
    }

    @Test func keptFuzzCrashersNoLongerTrap() throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Crashers")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        let responder = Responder(inventory: try testInventory())
        for file in files where !file.hasPrefix(".") {
            let bytes = try [UInt8](Data(contentsOf: directory.appendingPathComponent(file)))
            guard let message = try? DHCPMessage(decoding: bytes) else { continue }
            var leases = LeaseTable()
            _ = responder.respond(to: message, context: RequestContext(serverAddress: serverAddress, now: startTime),
                                  leases: &leases)
        }
    }
}
