import ByteOrder
import DHCP
import Inventory
import Synchronization

/// A DHCP OFFER or ACK another server sent on the provisioning interface.
public struct RogueSighting: Sendable, Equatable {
    public var serverIP: IPv4Address
    public var serverMAC: MACAddress
    /// The client it answered (chaddr) and what it offered.
    public var client: MACAddress
    public var type: DHCPMessageType
    public var offered: IPv4Address
    public var time: Double
    /// True when it answered netroot's own probe (`RogueProbe`) rather than a client.
    public var toProbe = false
}

/// Reads captured frames (pure): Ethernet (with or without one VLAN tag), IPv4, UDP from port 67, DHCP.
public enum RogueDetector {
    /// The sighting in `frame`, or nil when it is not another server's OFFER or ACK. `ours` are this server's
    /// addresses: its own replies (and relays forwarding them) are not rogue.
    public static func inspect(_ frame: [UInt8], ours: Set<IPv4Address>, time: Double) -> RogueSighting? {
        guard let reply = reply(in: frame), let type = reply.message.options.messageType,
              type == .offer || type == .ack, let client = reply.message.clientMAC else { return nil }
        let server = reply.message.options.serverIdentifier ?? reply.sourceIP
        guard !ours.contains(server), !ours.contains(reply.sourceIP) else { return nil }
        return RogueSighting(serverIP: server, serverMAC: reply.sourceMAC, client: client, type: type,
                             offered: reply.message.yiaddr, time: time)
    }

    /// The BOOTREPLY a server sent from port 67 in `frame`, with the frame's source addresses.
    static func reply(in frame: [UInt8]) -> (message: DHCPMessage, sourceIP: IPv4Address, sourceMAC: MACAddress)? {
        guard frame.count >= 14 else { return nil }
        var offset = 12
        var etherType = BigEndian.uint16(frame, at: offset)
        if etherType == 0x8100, frame.count >= 18 { // 802.1Q
            offset += 4
            etherType = BigEndian.uint16(frame, at: offset)
        }
        offset += 2
        guard etherType == 0x0800, frame.count >= offset + 20, frame[offset] >> 4 == 4,
              frame[offset + 9] == 17 else { return nil }
        let headerLength = Int(frame[offset] & 0x0f) * 4
        let sourceIP = IPv4Address(BigEndian.uint32(frame, at: offset + 12))
        let udp = offset + headerLength
        guard headerLength >= 20, frame.count >= udp + 8,
              BigEndian.uint16(frame, at: udp) == 67 else { return nil }
        guard let message = try? DHCPMessage(decoding: frame[(udp + 8)...]), message.op == .reply,
              let sourceMAC = MACAddress(bytes: Array(frame[6..<12])) else { return nil }
        return (message, sourceIP, sourceMAC)
    }
}

/// Another DHCP server seen on the wire, as `netroot status` and `doctor` report it.
public struct RogueServer: Codable, Sendable, Equatable {
    public var ip: String
    public var mac: String
    public var firstSeen: Double
    public var lastSeen: Double
    public var replies: Int
    /// The clients it answered most recently (newest last, at most 16).
    public var clients: [String]
    public var lastReply: String
}

/// The rogue servers seen since start, at most `capacity` of them: when a flood of spoofed server identifiers
/// would add more, the least recently seen is forgotten. (Which sightings are logged is the appliance's log
/// throttle's business.)
public final class RogueServers: Sendable {
    private struct Record {
        var server: RogueServer
    }

    private let records = Mutex<[String: Record]>([:])
    public let capacity: Int

    /// Far more real servers than any network has; small enough that a flood costs a few hundred kilobytes.
    public static let defaultCapacity = 256

    public init(capacity: Int = RogueServers.defaultCapacity) {
        self.capacity = max(1, capacity)
    }

    /// Records a sighting.
    public func record(_ sighting: RogueSighting) {
        let key = "\(sighting.serverIP)"
        return records.withLock { records in
            var record = records[key] ?? Record(server: RogueServer(
                ip: key, mac: "\(sighting.serverMAC)", firstSeen: sighting.time, lastSeen: sighting.time,
                replies: 0, clients: [], lastReply: ""))
            record.server.lastSeen = max(record.server.lastSeen, sighting.time)
            record.server.replies += 1
            let client = "\(sighting.client)"
            if sighting.toProbe {
                // The probe's MAC is netroot's own: not a client the doctor should name.
                record.server.lastReply = "\(sighting.type) \(sighting.offered) to netroot's probe (\(client))"
            } else {
                record.server.clients.removeAll { $0 == client }
                record.server.clients.append(client)
                if record.server.clients.count > 16 { record.server.clients.removeFirst() }
                record.server.lastReply = "\(sighting.type) \(sighting.offered) to \(client)"
            }
            records[key] = record
            if records.count > capacity { Self.evictLeastRecentlySeen(from: &records, sparing: key) }
        }
    }

    /// All, most recently seen first.
    public func list() -> [RogueServer] {
        records.withLock { $0.values.map(\.server) }.sorted { $0.lastSeen > $1.lastSeen }
    }

    /// A linear scan: at `capacity` entries, cheaper than keeping an ordered index for a rare flood.
    private static func evictLeastRecentlySeen(from records: inout [String: Record], sparing key: String) {
        var oldest: (key: String, seen: Double)?
        for (candidate, record) in records where candidate != key {
            if oldest.map({ record.server.lastSeen < $0.seen }) ?? true { oldest = (candidate, record.server.lastSeen) }
        }
        if let oldest { records[oldest.key] = nil }
    }
}
