import DHCP
import Inventory
import Testing

/// The text a client chooses (options 60 and 12) is escaped where it enters: control characters and invalid UTF-8
/// as `\xNN`, so it reaches no terminal or log raw.
@Suite struct ClientTextTests {
    @Test func shownOptionsEscapeControlsAndInvalidUTF8() {
        var options = DHCPOptions()
        #expect(options.shownVendorClass == nil)
        #expect(options.shownHostName == nil)
        options[OptionCode.vendorClassIdentifier] = Array("PXEClient\u{1b}[2J".utf8) + [0xff]
        options[OptionCode.hostName] = Array("node\nnetroot ready".utf8)
        #expect(options.shownVendorClass == "PXEClient\\x1b[2J\\xff")
        #expect(options.shownHostName == "node\\x0anetroot ready")
        // The raw bytes stay for decisions and round trips.
        #expect(options[OptionCode.vendorClassIdentifier]?.first == UInt8(ascii: "P"))
        options.vendorClassIdentifier = "PXEClient:Arch:00007:UNDI:003016"
        #expect(options.shownVendorClass == "PXEClient:Arch:00007:UNDI:003016")
    }

    @Test func aPoolClientsHostNameIsStoredEscaped() throws {
        let responder = Responder(inventory: try testInventory())
        var leases = LeaseTable()
        let context = RequestContext(serverAddress: serverAddress, now: startTime)
        let mac = "02:00:00:00:00:42"
        let offer = try #require(responder.respond(to: clientMessage(.discover, mac: mac), context: context,
                                                   leases: &leases).reply).message
        let request = clientMessage(.request, mac: mac) {
            $0.options.serverIdentifier = serverAddress
            $0.options.requestedIPAddress = offer.yiaddr
            $0.options[OptionCode.hostName] = Array("evil\u{1b}[1A\u{1b}[2K\u{202e}".utf8)
        }
        let decision = responder.respond(to: request, context: context, leases: &leases)
        guard case .bind(let lease) = decision.leaseChange else {
            Issue.record("no binding for the pool client: \(decision)")
            return
        }
        #expect(lease.hostname == "evil\\x1b[1A\\x1b[2K\\u{202e}")
    }
}
