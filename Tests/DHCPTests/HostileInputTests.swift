import DHCP
import Foundation
import Inventory
import Testing

/// Mutated real captures go through decode and the responder without trapping (kept crashers: CrasherTests).
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
}
