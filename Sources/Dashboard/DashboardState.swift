import BootTimeline
import Diagnostics
import Inventory

/// A node of nodes.yaml as a tile: who it is and how far its boot got. Carries no BMC details.
public struct NodeTile: Codable, Sendable, Equatable {
    public var name: String
    public var mac: String
    public var ip: String
    public var groups: [String]
    public var image: String?
    public var network: String
    public var stage: BootStage
    /// When the node entered `stage`.
    public var since: Double?
    /// The last step, `tftp alpha/vmlinuz`, and when.
    public var lastStep: String?
    public var lastTime: Double?
    public var failed: Bool
}

/// A client nodes.yaml does not know: seen in the boot timeline, or remembered by discovery.
public struct UnknownTile: Codable, Sendable, Equatable {
    /// The MAC (or IP) the timeline files it under.
    public var client: String
    public var mac: String?
    public var address: String?
    public var stage: BootStage?
    public var lastStep: String?
    public var lastTime: Double?
    public var firstSeen: Double?
    public var architecture: Int?
    public var vendorClass: String?
    public var relay: String?
    public var network: String?
    public var count: Int?

    public init(client: String, mac: String? = nil, address: String? = nil, stage: BootStage? = nil,
                lastStep: String? = nil, lastTime: Double? = nil, firstSeen: Double? = nil, architecture: Int? = nil,
                vendorClass: String? = nil, relay: String? = nil, network: String? = nil, count: Int? = nil) {
        self.client = client
        self.mac = mac
        self.address = address
        self.stage = stage
        self.lastStep = lastStep
        self.lastTime = lastTime
        self.firstSeen = firstSeen
        self.architecture = architecture
        self.vendorClass = vendorClass
        self.relay = relay
        self.network = network
        self.count = count
    }
}

/// Another DHCP server seen on the provisioning network, for the banner.
public struct RogueBanner: Codable, Sendable, Equatable {
    public var ip: String
    public var mac: String
    public var lastSeen: Double
    public var replies: Int
    public var lastReply: String
}

/// `GET /api/state`: the whole page's data; `version` is where its event stream picks up.
public struct DashboardState: Codable, Sendable, Equatable {
    public var now: Double
    public var startedAt: Double
    public var version: UInt64
    public var silentAfter: Double = BootStage.silentAfter
    /// Every stage in the legend's order, with its colour.
    public var stages: [StageLegend] = BootStage.allCases.map { StageLegend(name: $0.rawValue, colour: $0.colour) }
    public var nodes: [NodeTile]
    public var unknown: [UnknownTile]
    public var rogues: [RogueBanner]
    /// Whether `unknown` includes the machines discovery remembers, or only the timeline's clients.
    public var discovery: Bool
}

/// A stage's name and colour, as the page shows them.
public struct StageLegend: Codable, Sendable, Equatable {
    public var name: String
    public var colour: String
}

/// One `event: update` of the stream: the tiles that changed since the watcher's last one.
public struct DashboardUpdate: Codable, Sendable, Equatable {
    public var now: Double
    public var version: UInt64
    public var nodes: [NodeTile]
    public var unknown: [UnknownTile]
    public var rogues: [RogueBanner]
}

/// Tiles from the inventory and the timeline. Pure: the clock and everything seen are passed in.
public enum DashboardBuilder {
    public static func state(inventory: Inventory, timelines: [ClientTimeline], version: UInt64,
                             rogues: [RogueServer], discovered: [UnknownTile]?, now: Double,
                             startedAt: Double) -> DashboardState {
        var byClient: [String: ClientTimeline] = [:]
        for timeline in timelines { byClient[timeline.client] = timeline }
        let nodes = inventory.profiles.map { tile($0, timeline: byClient[$0.name], now: now) }
        var unknown = timelines.compactMap { unknownTile($0, inventory: inventory, now: now) }
        if let discovered { unknown = merge(unknown, discovered: discovered, addingUnseen: true) }
        unknown.sort { ($0.firstSeen ?? $0.lastTime ?? 0, $0.client) < ($1.firstSeen ?? $1.lastTime ?? 0, $1.client) }
        return DashboardState(now: now, startedAt: startedAt, version: version, nodes: nodes, unknown: unknown,
                              rogues: rogues.map(banner), discovery: discovered != nil)
    }

    /// The update for the clients changed since a watcher's version; `discovered` merges discovery's facts into
    /// the unknown clients' rows.
    public static func update(inventory: Inventory, changed: [ClientTimeline], version: UInt64,
                              rogues: [RogueServer], discovered: () -> [UnknownTile]? = { nil },
                              now: Double) -> DashboardUpdate {
        var nodes: [NodeTile] = []
        var unknown: [UnknownTile] = []
        for timeline in changed {
            if let profile = inventory.profile(named: timeline.client) {
                nodes.append(tile(profile, timeline: timeline, now: now))
            } else if let tile = unknownTile(timeline, inventory: inventory, now: now) {
                unknown.append(tile)
            }
        }
        // Discovery's book is copied only when an unknown client changed.
        if !unknown.isEmpty, let discovered = discovered() {
            unknown = merge(unknown, discovered: discovered, addingUnseen: false)
        }
        return DashboardUpdate(now: now, version: version, nodes: nodes, unknown: unknown,
                               rogues: rogues.map(banner))
    }

    public static func tile(_ profile: BootProfile, timeline: ClientTimeline?, now: Double) -> NodeTile {
        let events = timeline?.events ?? []
        let (stage, since) = BootStage.read(events, kernel: profile.kernel?.value, initrd: profile.initrd?.value,
                                            now: now)
        return NodeTile(name: profile.name, mac: "\(profile.mac)", ip: "\(profile.ip)", groups: profile.groups,
                        image: profile.image?.value, network: profile.network.name, stage: stage, since: since,
                        lastStep: events.last.map(describe), lastTime: events.last?.time,
                        failed: stage == .failed)
    }

    /// A timeline client that is not a node of nodes.yaml (the timeline may still hold a removed node's name).
    static func unknownTile(_ timeline: ClientTimeline, inventory: Inventory, now: Double) -> UnknownTile? {
        if inventory.profile(named: timeline.client) != nil { return nil }
        if let mac = timeline.mac.flatMap(MACAddress.init), inventory.profile(mac: mac) != nil { return nil }
        let stage = BootStage.read(timeline.events, now: now).stage
        return UnknownTile(client: timeline.client, mac: timeline.mac, address: timeline.address, stage: stage,
                           lastStep: timeline.last.map(describe), lastTime: timeline.last?.time,
                           firstSeen: timeline.events.first?.time)
    }

    /// Discovery knows more of a machine (first seen, architecture, relay), the timeline its current stage:
    /// one row with both, by MAC; discovery's machines not in the timeline are added when `addingUnseen`.
    static func merge(_ seen: [UnknownTile], discovered: [UnknownTile], addingUnseen: Bool) -> [UnknownTile] {
        var merged = seen
        var indexByMAC: [String: Int] = [:]
        for (index, row) in seen.enumerated() { if let mac = row.mac { indexByMAC[mac] = index } }
        for machine in discovered {
            if let index = machine.mac.flatMap({ indexByMAC[$0] }) {
                var row = machine
                row.client = merged[index].client
                row.address = merged[index].address
                row.stage = merged[index].stage
                row.lastStep = merged[index].lastStep
                row.lastTime = merged[index].lastTime
                merged[index] = row
            } else if addingUnseen {
                merged.append(machine)
            }
        }
        return merged
    }

    static func describe(_ event: BootEvent) -> String { "\(event.service.rawValue) \(BootEventText.step(event))" }

    static func banner(_ rogue: RogueServer) -> RogueBanner {
        RogueBanner(ip: rogue.ip, mac: rogue.mac, lastSeen: rogue.lastSeen, replies: rogue.replies,
                    lastReply: rogue.lastReply)
    }
}
