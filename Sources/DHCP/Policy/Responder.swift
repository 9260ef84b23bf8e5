import Inventory

/// Facts the transport knows about a request that the message does not carry.
public struct RequestContext: Sendable {
    /// Our address on the serving interface: the server identifier (option 54) and, by default, next-server.
    public var serverAddress: IPv4Address
    /// Unix seconds.
    public var now: Int64
    /// Whether this appliance serves this request if it comes from a pool client.
    public var pool: PoolService = .open

    public init(serverAddress: IPv4Address, now: Int64, pool: PoolService = .open) {
        self.serverAddress = serverAddress
        self.now = now
        self.pool = pool
    }
}

/// Whether pool (unknown) clients are this appliance's to answer. Known nodes are answered regardless: their
/// answer comes from the inventory alone.
public enum PoolService: Sendable, Equatable {
    case open
    /// Another appliance sharing the lease database answers this client (its RFC 3074 share).
    case otherAppliancesShare
    /// The shared lease database cannot be reached: nothing keeps an address from going to two clients.
    case storeUnavailable
}

/// Why a request got no reply; the transport counts and logs these.
public enum IgnoreReason: Error, Sendable, Equatable, CustomStringConvertible {
    case notARequest
    case notEthernet
    case noMessageType
    case unknownClientWithoutPool
    case poolExhausted(network: String)
    case wrongSegment(node: String, network: String)
    case noNetworkForRequest
    case selectedAnotherServer
    case noRecordOfClient
    case malformedRequest(String)
    /// Not an error: DECLINE and RELEASE have no reply.
    case noReplyExpected(DHCPMessageType)
    case serverMessage(DHCPMessageType)
    /// A pool client in another appliance's RFC 3074 share.
    case otherAppliancesShare
    /// A pool client while the shared lease database cannot be reached.
    case leaseStoreUnavailable

    public var description: String {
        switch self {
        case .notARequest: "not a BOOTREQUEST"
        case .notEthernet: "not an Ethernet client"
        case .noMessageType: "no DHCP message type (plain BOOTP is not served)"
        case .unknownClientWithoutPool: "unknown MAC and no pool on its network"
        case .poolExhausted(let network): "pool of network \(network) exhausted"
        case .wrongSegment(let node, let network):
            "node \(node) asked from a segment other than its network \(network)"
        case .noNetworkForRequest: "no declared network matches the request's segment"
        case .selectedAnotherServer: "client selected another server"
        case .noRecordOfClient: "no record of the client (RFC 2131 §4.3.2: stay silent)"
        case .malformedRequest(let why): "malformed request: \(why)"
        case .noReplyExpected(let type): "\(type) needs no reply"
        case .serverMessage(let type): "\(type) is a server message"
        case .otherAppliancesShare: "a pool client in another appliance's load-balancing share (RFC 3074)"
        case .leaseStoreUnavailable: "a pool client, and the lease database cannot be reached"
        }
    }
}

/// Who gets what: one pure function of (request, inventory snapshot, lease state, clock).
///
/// Decide, write, commit: the responder changes the table it is handed only for what lives in memory alone
/// (offer holds, the decline quarantine). Bindings and releases come back as the decision's `leaseChange`; the caller applies
/// them once the journal has them, so a failed write leaves no binding the disk lacks.
public struct Responder: Sendable {
    public let inventory: Inventory
    /// How long an OFFER holds its address for the client's REQUEST.
    public var offerHold: Int64 = 60
    /// How long a declined address stays out of the pool.
    public var declineQuarantine: Int64 = 600

    public init(inventory: Inventory) { self.inventory = inventory }

    public func respond(to request: DHCPMessage, context: RequestContext, leases: inout LeaseTable) -> Decision {
        guard request.op == .request else { return .silent(.init(reason: .notARequest)) }
        guard let mac = request.clientMAC else { return .silent(.init(reason: .notEthernet)) }
        guard let type = request.options.messageType else { return .silent(.init(reason: .noMessageType)) }
        let profile = inventory.profile(mac: mac)
        let verdict: Verdict
        switch type {
        case .discover: verdict = discover(request, mac: mac, profile: profile, context: context, leases: &leases)
        case .request: verdict = self.request(request, mac: mac, profile: profile, context: context, leases: &leases)
        case .decline: verdict = decline(request, mac: mac, context: context, leases: &leases)
        case .release: verdict = release(request, mac: mac, leases: &leases)
        case .inform: verdict = inform(request, profile: profile, context: context)
        case .offer, .ack, .nak: verdict = .ignore(.serverMessage(type))
        }
        switch verdict {
        case let .answer(reply, replyType, change):
            return .reply(.init(message: reply, type: replyType, delivery: Delivery.forReply(reply, to: request),
                                leaseChange: change, requestType: type, node: profile?.name,
                                missingLoader: replyType == .offer ? Self.missingLoader(request, reply, profile) : nil))
        case let .silent(reason, change):
            return .silent(.init(reason: reason, leaseChange: change, requestType: type, node: profile?.name))
        }
    }

    /// Firmware of a node with an image offered no bootfile: its architecture has no loader on the node's path.
    static func missingLoader(_ request: DHCPMessage, _ reply: DHCPMessage, _ profile: BootProfile?) -> String? {
        // Runs for every OFFER: the cheap tests first, the request's options read again only when no file was named.
        guard let profile, profile.kernel != nil, (reply.file.first ?? 0) == 0 else { return nil }
        let facts = ClientFacts(request)
        guard facts.isPXEFirmware || facts.isHTTPBootClient, !facts.isIPXE,
              let architecture = facts.architecture else { return nil }
        return BootLoaderAdvice.missingLoader(architecture: architecture, httpBoot: facts.isHTTPBootClient,
                                              boot: profile.boot.value)
    }

    /// What one message handler decided, before the facts every decision carries are added.
    enum Verdict {
        case answer(DHCPMessage, DHCPMessageType, leaseChange: LeaseUpdate?)
        case silent(IgnoreReason, leaseChange: LeaseUpdate?)

        static func ignore(_ reason: IgnoreReason) -> Verdict { .silent(reason, leaseChange: nil) }
    }

    // MARK: message handlers

    private func discover(_ request: DHCPMessage, mac: MACAddress, profile: BootProfile?, context: RequestContext,
                          leases: inout LeaseTable) -> Verdict {
        let binding: Binding
        switch self.binding(for: request, mac: mac, profile: profile, context: context, leases: leases,
                            allocate: true) {
        case .success(let found): binding = found
        case .failure(let reason): return .ignore(reason)
        }
        let facts = ClientFacts(request)
        if binding.profile == nil {
            // Pool offers hold the address in memory only; a crash forgets them, which is safe: only an ACK binds.
            let previous = leases.lease(for: mac)
            var held = Lease(mac: mac, address: binding.address, expires: context.now + offerHold, state: .offered,
                             clientArchitecture: facts.architecture ?? previous?.clientArchitecture)
            if let previous, previous.state == .bound, previous.address == binding.address,
               previous.isActive(at: context.now) {
                held = previous // still bound: the offer changes nothing
            }
            leases.record(held)
        }
        let reply = ReplyBuilder(inventory: inventory, context: context)
            .reply(.offer, to: request, address: binding.address, network: binding.network, profile: binding.profile,
                   facts: facts, rememberedArchitecture: leases.lease(for: mac)?.clientArchitecture)
        return .answer(reply, .offer, leaseChange: nil)
    }

    private func request(_ request: DHCPMessage, mac: MACAddress, profile: BootProfile?, context: RequestContext,
                         leases: inout LeaseTable) -> Verdict {
        let options = request.options
        let requested = options.requestedIPAddress
        if let serverID = options.serverIdentifier, serverID != context.serverAddress {
            // SELECTING another server's offer: release what we offered (RFC 2131 §4.3.2).
            if let lease = leases.lease(for: mac), lease.state == .offered { leases.remove(mac: mac) }
            return .ignore(.selectedAnotherServer)
        }
        let claimed: IPv4Address
        if options.serverIdentifier != nil || (request.ciaddr.value == 0 && requested != nil) {
            // SELECTING (our server id) or INIT-REBOOT: the address is in option 50.
            guard let requested else { return .ignore(.malformedRequest("SELECTING without requested address")) }
            claimed = requested
        } else if request.ciaddr.value != 0 {
            claimed = request.ciaddr // RENEWING or REBINDING
        } else {
            return .ignore(.malformedRequest("REQUEST without requested address or ciaddr"))
        }
        let builder = ReplyBuilder(inventory: inventory, context: context)
        let binding: Binding
        switch self.binding(for: request, mac: mac, profile: profile, context: context, leases: leases,
                            allocate: false) {
        case .success(let found):
            binding = found
        case .failure(.noRecordOfClient) where options.serverIdentifier == nil:
            return .ignore(.noRecordOfClient)
        case .failure(let reason) where reason == .leaseStoreUnavailable || reason == .otherAppliancesShare:
            return .ignore(reason)
        case .failure(.noNetworkForRequest), .failure(.wrongSegment):
            // The client believes in an address on a network we do not serve it on.
            let nak = builder.nak(request, message: "address not valid on this network")
            return .answer(nak, .nak, leaseChange: nil)
        case .failure(let reason):
            if options.serverIdentifier != nil {
                let nak = builder.nak(request, message: "offer expired")
                return .answer(nak, .nak, leaseChange: nil)
            }
            return .ignore(reason)
        }
        guard claimed == binding.address else {
            let nak = builder.nak(request, message: "requested \(claimed), but this client's address is \(binding.address)")
            return .answer(nak, .nak, leaseChange: nil)
        }
        let facts = ClientFacts(request)
        let remembered = leases.lease(for: mac)?.clientArchitecture
        let leaseSeconds = (binding.profile?.leaseTime.value ?? binding.network.leaseTime).seconds
        let expires = leaseSeconds == UInt32.max ? Int64.max : context.now + Int64(leaseSeconds)
        let lease = Lease(mac: mac, address: binding.address, expires: expires, state: .bound,
                          hostname: binding.profile?.hostname.value ?? options.shownHostName,
                          clientArchitecture: facts.architecture ?? remembered)
        let current = leases.lease(for: mac)
        if binding.profile == nil, current?.address != binding.address || current?.isActive(at: context.now) != true {
            // Until the binding is written, a hold keeps the address from other clients of the same read batch.
            leases.record(Lease(mac: mac, address: binding.address, expires: context.now + offerHold, state: .offered,
                                clientArchitecture: lease.clientArchitecture))
        }
        let ack = builder.reply(.ack, to: request, address: binding.address, network: binding.network,
                                profile: binding.profile, facts: facts, rememberedArchitecture: remembered)
        return .answer(ack, .ack, leaseChange: .bind(lease))
    }

    private func decline(_ request: DHCPMessage, mac: MACAddress, context: RequestContext,
                         leases: inout LeaseTable) -> Verdict {
        let decision = Verdict.ignore(.noReplyExpected(.decline))
        guard request.options.serverIdentifier == context.serverAddress,
              let address = request.options.requestedIPAddress else { return decision }
        let own = leases.lease(for: mac)
        let holder = leases.holder(of: address, at: context.now)
        // Only an address we could hand out, and not someone else's: spoofed DECLINEs must not grow the quarantine
        // nor take a working client's address away.
        let ours = own?.address == address || inventory.networks.contains { $0.pool?.contains(address) == true }
        guard ours, holder == nil || holder == mac else { return decision }
        // Another host answers ARP for this address: keep it out of the pool for a while.
        leases.quarantine(address, until: context.now + declineQuarantine)
        if let own, own.address == address, own.state == .bound {
            return .silent(.noReplyExpected(.decline), leaseChange: .release(mac: mac, address: address))
        }
        return decision
    }

    private func release(_ request: DHCPMessage, mac: MACAddress, leases: inout LeaseTable) -> Verdict {
        let decision = Verdict.ignore(.noReplyExpected(.release))
        guard let lease = leases.lease(for: mac), lease.address == request.ciaddr else { return decision }
        if lease.state == .bound {
            // Forgotten once written.
            return .silent(.noReplyExpected(.release), leaseChange: .release(mac: mac, address: lease.address))
        } else {
            leases.remove(mac: mac) // only a hold: memory alone knows it
        }
        return decision
    }

    private func inform(_ request: DHCPMessage, profile: BootProfile?, context: RequestContext) -> Verdict {
        guard request.ciaddr.value != 0 else { return .ignore(.malformedRequest("INFORM without ciaddr")) }
        guard let network = inventory.network(containing: request.ciaddr) else { return .ignore(.noNetworkForRequest) }
        let reply = ReplyBuilder(inventory: inventory, context: context)
            .reply(.ack, to: request, address: nil, network: network, profile: profile, facts: ClientFacts(request),
                   rememberedArchitecture: nil)
        return .answer(reply, .ack, leaseChange: nil)
    }

    /// The answer to a REQUEST whose binding the lease store refused because another client holds the address
    /// (a partner appliance bound it first): a NAK, so the client starts over at once instead of waiting.
    public func addressTaken(_ request: DHCPMessage, context: RequestContext) -> Decision {
        let nak = ReplyBuilder(inventory: inventory, context: context)
            .nak(request, message: "address taken by another client")
        return .reply(.init(message: nak, type: .nak, delivery: Delivery.forReply(nak, to: request), leaseChange: nil,
                            requestType: .request, node: nil))
    }

    // MARK: who gets which address

    struct Binding {
        var address: IPv4Address
        var network: Network
        var profile: BootProfile?
    }

    /// The network the request was sent on: the relay's, else the server's own.
    func segment(of request: DHCPMessage, context: RequestContext) -> Network? {
        if request.giaddr.value != 0 { return inventory.network(containing: request.giaddr) }
        if let network = inventory.network(containing: context.serverAddress) { return network }
        return inventory.networks.count == 1 ? inventory.networks[0] : nil
    }

    /// A known node's reservation, else the client's pool lease (allocating one when `allocate`).
    private func binding(for request: DHCPMessage, mac: MACAddress, profile: BootProfile?, context: RequestContext,
                         leases: LeaseTable, allocate: Bool) -> Result<Binding, IgnoreReason> {
        let segment = segment(of: request, context: context)
        if let profile {
            if let segment, segment.name != profile.network.name {
                return .failure(.wrongSegment(node: profile.name, network: profile.network.name))
            }
            return .success(Binding(address: profile.ip, network: profile.network, profile: profile))
        }
        guard let segment else { return .failure(.noNetworkForRequest) }
        guard let pool = segment.pool else { return .failure(.unknownClientWithoutPool) }
        switch context.pool {
        case .open: break
        case .storeUnavailable: return .failure(.leaseStoreUnavailable)
        case .otherAppliancesShare:
            // DISCOVER and INIT-REBOOT belong to the share's appliance; a client that chose this one (option 54)
            // or renews an address (ciaddr) is answered by whoever hears it.
            if request.options.serverIdentifier == nil && request.ciaddr.value == 0 {
                return .failure(.otherAppliancesShare)
            }
        }
        let now = context.now
        // The client's own lease (even an expired one) if nobody took the address since.
        if let lease = leases.lease(for: mac), pool.contains(lease.address),
           leases.isAvailable(lease.address, for: mac, at: now) {
            return .success(Binding(address: lease.address, network: segment, profile: nil))
        }
        guard allocate else { return .failure(.noRecordOfClient) }
        if let wanted = request.options.requestedIPAddress, pool.contains(wanted),
           leases.isAvailable(wanted, for: mac, at: now) {
            return .success(Binding(address: wanted, network: segment, profile: nil))
        }
        guard let free = leases.freeAddress(in: pool, for: mac, at: now) else {
            return .failure(.poolExhausted(network: segment.name))
        }
        return .success(Binding(address: free, network: segment, profile: nil))
    }
}
