import DHCP
import Inventory
import Testing

/// The decision's shape: exactly one outcome, its type known without reading the reply back, labels that name
/// no node.
@Suite struct DecisionTests {
    let responder: Responder
    let context = RequestContext(serverAddress: serverAddress, now: startTime)

    init() throws { responder = Responder(inventory: try testInventory()) }

    @Test func aReplyCarriesItsTypeDeliveryAndLeaseChange() throws {
        var leases = LeaseTable()
        let discover = try DHCPMessage(decoding: captured("ipxe-bios-discover"))
        guard case .reply(let offer) = responder.respond(to: discover, context: context, leases: &leases) else {
            Issue.record("no reply to iPXE's DISCOVER")
            return
        }
        #expect(offer.type == .offer && offer.requestType == .discover && offer.node == "compute1")
        #expect(offer.message.options.messageType == offer.type)
        #expect(offer.leaseChange == nil, "an OFFER binds nothing")
    }

    @Test func silenceCarriesItsReasonAndNoReply() {
        var leases = LeaseTable()
        var request = DHCPMessage(op: .request, xid: 1, chaddr: [1, 2, 3, 4, 5, 6])
        request.options.messageType = .offer
        let decision = responder.respond(to: request, context: context, leases: &leases)
        guard case .silent(let silence) = decision else {
            Issue.record("a server message got a reply")
            return
        }
        #expect(silence.reason == .serverMessage(.offer))
        #expect(silence.leaseChange == nil)
        #expect(decision.reply == nil)
    }

    /// Metric label values come from the kind of reason, never from its text: no node, network or address in them.
    @Test(arguments: [
        IgnoreReason.notARequest, .notEthernet, .noMessageType, .unknownClientWithoutPool,
        .poolExhausted(network: "provision"), .wrongSegment(node: "compute1", network: "remote"),
        .noNetworkForRequest, .selectedAnotherServer, .noRecordOfClient, .malformedRequest("REQUEST without ciaddr"),
        .noReplyExpected(.release), .serverMessage(.ack),
    ])
    func labelsAreFixedWords(reason: IgnoreReason) {
        #expect(reason.label.allSatisfy { $0.isLowercase || $0 == "_" }, "\(reason.label)")
        #expect(!reason.label.contains("compute1") && !reason.label.contains("provision"))
    }
}
