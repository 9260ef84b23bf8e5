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
}

/// Reads captured frames (pure): Ethernet (with or without one VLAN tag), IPv4, UDP from port 67, DHCP.
public enum RogueDetector {
    /// The sighting in `frame`, or nil when it is not another server's OFFER or ACK. `ours` are this server's
    /// addresses: its own replies (and relays forwarding them) are not rogue.
    public static func inspect(_ frame: [UInt8], ours: Set<IPv4Address>, time: Double) -> RogueSighting? {
        guard frame.count >= 14 else { return nil }
        var offset = 12
        var etherType = UInt16(frame[offset]) << 8 | UInt16(frame[offset + 1])
        if etherType == 0x8100, frame.count >= 18 { // 802.1Q
            offset += 4
            etherType = UInt16(frame[offset]) << 8 | UInt16(frame[offset + 1])
        }
        offset += 2
        guard etherType == 0x0800, frame.count >= offset + 20, frame[offset] >> 4 == 4,
              frame[offset + 9] == 17 else { return nil }
        let headerLength = Int(frame[offset] & 0x0f) * 4
        let sourceIP = IPv4Address(frame[(offset + 12)..<(offset + 16)].reduce(0) { $0 << 8 | UInt32($1) })
        let udp = offset + headerLength
        guard headerLength >= 20, frame.count >= udp + 8,
              UInt16(frame[udp]) << 8 | UInt16(frame[udp + 1]) == 67 else { return nil }
        guard let message = try? DHCPMessage(decoding: frame[(udp + 8)...]), message.op == .reply,
              let type = message.options.messageType, type == .offer || type == .ack,
              let client = message.clientMAC,
              let serverMAC = MACAddress(bytes: Array(frame[6..<12])) else { return nil }
        let server = message.options.serverIdentifier ?? sourceIP
        guard !ours.contains(server), !ours.contains(sourceIP) else { return nil }
        return RogueSighting(serverIP: server, serverMAC: serverMAC, client: client, type: type,
                             offered: message.yiaddr, time: time)
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

/// Every rogue server seen since start; says when a sighting deserves a log line (once per server per interval).
public final class RogueServers: Sendable {
    private let servers = Mutex<[String: RogueServer]>([:])
    private let lastLogged = Mutex<[String: Double]>([:])
    public let logInterval: Double

    public init(logInterval: Double = 600) { self.logInterval = logInterval }

    /// Records a sighting; true when it should be logged now.
    public func record(_ sighting: RogueSighting) -> Bool {
        let key = "\(sighting.serverIP)"
        servers.withLock { servers in
            var server = servers[key] ?? RogueServer(ip: key, mac: "\(sighting.serverMAC)", firstSeen: sighting.time,
                                                     lastSeen: sighting.time, replies: 0, clients: [], lastReply: "")
            server.lastSeen = sighting.time
            server.replies += 1
            let client = "\(sighting.client)"
            server.clients.removeAll { $0 == client }
            server.clients.append(client)
            if server.clients.count > 16 { server.clients.removeFirst() }
            server.lastReply = "\(sighting.type) \(sighting.offered) to \(client)"
            servers[key] = server
        }
        return lastLogged.withLock { logged in
            guard let last = logged[key], sighting.time - last < logInterval else {
                logged[key] = sighting.time
                return true
            }
            return false
        }
    }

    /// All, most recently seen first.
    public func list() -> [RogueServer] {
        servers.withLock { Array($0.values) }.sorted { $0.lastSeen > $1.lastSeen }
    }
}
