import Inventory

/// The responder's verdict on one request: exactly one of the outcomes a request can have.
public enum Decision: Sendable {
    /// Answer with `Reply`; its lease change, if any, must be on disk before the reply leaves.
    case reply(Reply)
    /// Stay silent, for `Silence.reason`; a lease change may still need writing (RELEASE, DECLINE).
    case silent(Silence)

    /// A reply decided: the message, where it goes, and what it changes.
    public struct Reply: Sendable {
        public var message: DHCPMessage
        /// OFFER, ACK or NAK: known here, never read back from the encoded message.
        public var type: DHCPMessageType
        public var delivery: Delivery
        public var leaseChange: LeaseUpdate?
        public var requestType: DHCPMessageType
        /// The node's name when the client is known.
        public var node: String?
        /// For an OFFER to a known node's firmware that names no bootfile: why, and the key to set.
        public var missingLoader: String? = nil
    }

    /// No reply, and why.
    public struct Silence: Sendable {
        public var reason: IgnoreReason
        public var leaseChange: LeaseUpdate? = nil
        /// Nil when the request was not readable as a DHCP request at all.
        public var requestType: DHCPMessageType? = nil
        public var node: String? = nil
    }

    /// What must reach the journal before anything of this decision takes effect.
    public var leaseChange: LeaseUpdate? {
        switch self {
        case .reply(let reply): reply.leaseChange
        case .silent(let silence): silence.leaseChange
        }
    }

    public var node: String? {
        switch self {
        case .reply(let reply): reply.node
        case .silent(let silence): silence.node
        }
    }

    public var requestType: DHCPMessageType? {
        switch self {
        case .reply(let reply): reply.requestType
        case .silent(let silence): silence.requestType
        }
    }

    /// The reply and where it goes, for tests and callers that only look.
    public var reply: (message: DHCPMessage, delivery: Delivery)? {
        if case .reply(let reply) = self { return (reply.message, reply.delivery) }
        return nil
    }

    /// Why there is no reply, when there is none.
    public var ignored: IgnoreReason? {
        if case .silent(let silence) = self { return silence.reason }
        return nil
    }
}

extension IgnoreReason {
    /// The metrics label: one fixed word per kind of reason, never text that carries a name or an address.
    public var label: String {
        switch self {
        case .notARequest: "not_a_request"
        case .notEthernet: "not_ethernet"
        case .noMessageType: "no_message_type"
        case .unknownClientWithoutPool: "unknown_client"
        case .poolExhausted: "pool_exhausted"
        case .wrongSegment: "wrong_segment"
        case .noNetworkForRequest: "no_network"
        case .selectedAnotherServer: "selected_another_server"
        case .noRecordOfClient: "no_record_of_client"
        case .malformedRequest: "malformed_request"
        case .noReplyExpected: "no_reply_expected"
        case .serverMessage: "server_message"
        case .otherAppliancesShare: "load_balanced"
        case .leaseStoreUnavailable: "lease_store_unavailable"
        }
    }
}
