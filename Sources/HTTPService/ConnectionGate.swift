import NIOCore
import Synchronization

/// Admission of connections against the listener's limits, in total and per client address. At a limit the
/// oldest connection that is only waiting for a request (half a head, or idle between requests) makes room; a new
/// connection is refused only when every held one is busy answering. So a flood of half-open connections from one
/// host cannot lock a well-behaved client out, and cannot hold more than the limits.
final class ConnectionGate: Sendable {
    /// What `admit` decided: room, room made by closing another connection, or no room.
    enum Decision: Equatable {
        case admitted
        case admittedClosingOldest
        case refused
    }

    private struct Entry {
        let client: String
        let channel: Channel
        let opened: UInt64
        var waiting: Bool
    }

    private struct State {
        var entries: [ObjectIdentifier: Entry] = [:]
        var perClient: [String: Int] = [:]
        var sequence: UInt64 = 0
    }

    private let limits: HTTPServiceLimits
    private let state = Mutex(State())

    init(limits: HTTPServiceLimits) { self.limits = limits }

    var openConnections: Int { state.withLock { $0.entries.count } }

    /// Takes `channel` in, or says why not; a connection closed to make room is closed on its own event loop.
    func admit(_ channel: Channel, client: String) -> Decision {
        let (decision, victim): (Decision, Channel?) = state.withLock { state in
            var victim: Channel?
            if state.perClient[client, default: 0] >= limits.connectionsPerClient {
                guard let oldest = Self.oldestWaiting(in: state, client: client) else { return (.refused, nil) }
                victim = Self.remove(oldest, from: &state)
            } else if state.entries.count >= limits.connections {
                guard let oldest = Self.oldestWaiting(in: state, client: nil) else { return (.refused, nil) }
                victim = Self.remove(oldest, from: &state)
            }
            state.sequence += 1
            state.entries[ObjectIdentifier(channel)] = Entry(client: client, channel: channel, opened: state.sequence,
                                                             waiting: true)
            state.perClient[client, default: 0] += 1
            return (victim == nil ? .admitted : .admittedClosingOldest, victim)
        }
        victim?.close(promise: nil)
        return decision
    }

    /// A connection between requests may be closed to make room; one answering may not.
    func setWaiting(_ channel: Channel, _ waiting: Bool) {
        state.withLock { $0.entries[ObjectIdentifier(channel)]?.waiting = waiting }
    }

    func release(_ channel: Channel) {
        state.withLock { state in _ = Self.remove(ObjectIdentifier(channel), from: &state) }
    }

    private static func oldestWaiting(in state: State, client: String?) -> ObjectIdentifier? {
        var best: (ObjectIdentifier, UInt64)?
        for (id, entry) in state.entries where entry.waiting && (client == nil || entry.client == client) {
            if best == nil || entry.opened < best!.1 { best = (id, entry.opened) }
        }
        return best?.0
    }

    private static func remove(_ id: ObjectIdentifier, from state: inout State) -> Channel? {
        guard let entry = state.entries.removeValue(forKey: id) else { return nil }
        let left = state.perClient[entry.client, default: 1] - 1
        state.perClient[entry.client] = left > 0 ? left : nil
        return entry.channel
    }
}
