import Synchronization

/// Per-client boot timelines, in memory, fed by the DHCP and TFTP servers and read by `netroot status`.
///
/// Bounded: at most `maximumClients` nodes of the inventory and, apart, at most `maximumUnknownClients` clients it
/// does not know (in each, the least recently heard from is forgotten first), and `maximumEvents` steps per boot.
/// A flood of random (spoofed) MACs cannot grow it without end, and cannot push a known node's timeline out: the
/// unknown are only ever evicted by the unknown.
public final class BootTimeline: Sendable {
    private struct State {
        var clients: [String: ClientTimeline] = [:]
        /// Last heard from, for eviction: the inventory's nodes, and the clients it does not know, apart.
        var lastSeen: [String: Double] = [:]
        var unknownLastSeen: [String: Double] = [:]
        /// IPv4 address → client, learned from DHCP ACKs, so TFTP requests (which carry only an IP) find their node.
        var owners: [String: String] = [:]
        /// Bumped by every change; `changed[client]` is the version that last changed the client.
        var version: UInt64 = 0
        var changed: [String: UInt64] = [:]

        mutating func touch(_ client: String) {
            version += 1
            changed[client] = version
        }
    }

    private let state = Mutex(State())
    /// Nodes of the inventory kept at most.
    public let maximumClients: Int
    /// Clients the inventory does not know (keyed by MAC or address) kept at most.
    public let maximumUnknownClients: Int
    public let maximumEvents: Int
    /// A firmware DISCOVER this long after a client's last step starts a new boot even without one in between.
    public static let quietGap: Double = 60
    /// How long a server may take from power-on to its firmware's first DISCOVER and still be the same boot:
    /// real servers spend minutes in POST and memory training.
    public static let powerOnGap: Double = 900

    public init(maximumClients: Int = 4096, maximumUnknownClients: Int = 1024, maximumEvents: Int = 256) {
        self.maximumClients = max(1, maximumClients)
        self.maximumUnknownClients = max(1, maximumUnknownClients)
        self.maximumEvents = maximumEvents
    }

    /// Records a DHCP step. `client` is the node's name, else the MAC; `address`, when set, is bound to it.
    /// `known` says the client is a node of the inventory (`client` is its name). `mac` is formatted only for a
    /// client seen for the first time (this runs for every DHCP packet).
    public func record(_ event: BootEvent, client: String, known: Bool = false, mac: @autoclosure () -> String?,
                       address: String? = nil) {
        state.withLock { state in
            if let address {
                let previous = state.clients[client]?.address
                if let previous, previous != address, state.owners[previous] == client { state.owners[previous] = nil }
                state.owners[address] = client
            }
            // Changed in place: a copy taken out of the dictionary would copy the client's events on every append.
            state.clients[client, default: ClientTimeline(client: client)]
                .add(event, mac: mac, address: address, limit: maximumEvents)
            seen(&state, client, known: known, at: event.time)
        }
    }

    /// Records a TFTP step from `address`; `node` is the inventory's name for that address, when it has one.
    public func record(_ event: BootEvent, from address: String, node: String?) {
        let (client, known) = state.withLock { state -> (String, Bool) in
            // The client its DHCP ACK bound the address to, known if that one is.
            if let owner = state.owners[address] { return (owner, state.lastSeen[owner] != nil) }
            return (node ?? address, node != nil)
        }
        record(event, client: client, known: known, mac: nil, address: address)
    }

    /// Records BMC actions sent by `netroot power` / `netroot boot` for a node. Actions that start a boot
    /// (power on, cycle, reset) begin a new timeline, keeping the steps sent with them (the boot device set first).
    /// Steps of other services in `events` are ignored.
    public func recordPower(_ events: [BootEvent], client: String, mac: String?) {
        let events = events.filter { $0.service == .power }
        guard !events.isEmpty else { return }
        state.withLock { state in
            var timeline = state.clients[client] ?? ClientTimeline(client: client)
            if events.contains(where: \.startsBoot) { timeline.events.removeAll() }
            if timeline.mac == nil { timeline.mac = mac }
            timeline.events += events
            if timeline.events.count > maximumEvents { timeline.events.removeFirst(timeline.events.count - maximumEvents) }
            state.clients[client] = timeline
            // Power is sent to the inventory's nodes only.
            seen(&state, client, known: true, at: events.last!.time)
        }
    }

    /// Notes that `client` was heard from at `time`, in its pool (a client once known stays known), and evicts
    /// from that pool when it is over its cap.
    private func seen(_ state: inout State, _ client: String, known: Bool, at time: Double) {
        if known || state.lastSeen[client] != nil {
            state.unknownLastSeen[client] = nil
            state.lastSeen[client] = time
        } else {
            state.unknownLastSeen[client] = time
        }
        state.touch(client)
        if state.lastSeen.count > maximumClients {
            Self.evict(&state, from: \.lastSeen, keeping: maximumClients)
        }
        if state.unknownLastSeen.count > maximumUnknownClients {
            Self.evict(&state, from: \.unknownLastSeen, keeping: maximumUnknownClients)
        }
    }

    /// All clients, most recently heard from first.
    public func snapshot() -> [ClientTimeline] {
        state.withLock { state in
            state.clients.values.sorted { ($0.last?.time ?? 0, $1.client) > ($1.last?.time ?? 0, $0.client) }
        }
    }

    /// A counter bumped by every recorded step: unchanged means nothing to push to a watcher.
    public var version: UInt64 { state.withLock { $0.version } }

    /// The clients changed after `version` (as returned by an earlier call, 0 for all), and the version to
    /// ask from next time. For the dashboard's event stream: each watcher keeps its own version, so a slow
    /// one gets the changes it missed, coalesced, and nothing is queued per watcher.
    public func changes(since version: UInt64) -> (version: UInt64, clients: [ClientTimeline]) {
        state.withLock { state in
            guard state.version != version else { return (version, []) }
            let clients = state.changed.compactMap { client, changedAt in
                changedAt > version ? state.clients[client] : nil
            }
            return (state.version, clients.sorted { $0.client < $1.client })
        }
    }

    /// One client by node name, MAC or IP address.
    public func timeline(of key: String) -> ClientTimeline? {
        let lowered = key.lowercased()
        return state.withLock { state in
            if let found = state.clients[key] { return found }
            if let owner = state.owners[key], let found = state.clients[owner] { return found }
            return state.clients.values.first { $0.mac == lowered }
        }
    }

    /// Forgets the least recently heard from clients of one pool, a tenth at a time so eviction is rare.
    private static func evict(_ state: inout State, from pool: WritableKeyPath<State, [String: Double]>,
                              keeping limit: Int) {
        let excess = state[keyPath: pool].count - limit + max(1, limit / 10)
        let oldest = state[keyPath: pool].sorted { $0.value < $1.value }.prefix(excess)
        for (client, _) in oldest {
            if let address = state.clients[client]?.address, state.owners[address] == client {
                state.owners[address] = nil
            }
            state.clients[client] = nil
            state[keyPath: pool][client] = nil
            state.changed[client] = nil
        }
    }
}

extension ClientTimeline {
    fileprivate mutating func add(_ event: BootEvent, mac: () -> String?, address: String?, limit: Int) {
        if self.mac == nil, let mac = mac() { self.mac = mac }
        if let address { self.address = address }
        if event.startsBoot, let last = events.last {
            // Firmware retransmitting its DISCOVER is the same boot, and so is the power-on that led to it; anything
            // past the firmware's DHCP is not.
            let stillInFirmwareDHCP = events.allSatisfy {
                $0.service == .power || $0.service == .dhcp && $0.startsBoot || $0.replyType == .offer
            }
            // A chain-loaded iPXE (undionly.kpxe, snponly.efi) starts with a firmware DISCOVER of its own.
            let chainLoaded = last.outcome == .ok
                && last.file.map { file in [".kpxe", ".pxe", ".efi"].contains { file.path.hasSuffix($0) } } == true
            let gap = last.service == .power ? BootTimeline.powerOnGap : BootTimeline.quietGap
            if !(stillInFirmwareDHCP || chainLoaded) || event.time - last.time > gap { events.removeAll() }
        }
        events.append(event)
        if events.count > limit { events.removeFirst(events.count - limit) }
    }
}
