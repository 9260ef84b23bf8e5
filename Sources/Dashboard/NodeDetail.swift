import BootTimeline
import Diagnostics
import Inventory

/// `GET /api/node/NAME`: one client's boot as a waterfall, its steps, and the doctor's reading of it.
public struct NodeDetail: Codable, Sendable, Equatable {
    public var name: String
    public var mac: String?
    public var address: String?
    public var image: String?
    public var stage: BootStage
    public var since: Double?
    public var bars: [WaterfallBar]
    public var events: [BootEvent]
    /// `netroot doctor`'s sentences.
    public var diagnosis: [String]
    public var now: Double

    /// Pure: as `netroot doctor NODE` would say it, from the same timeline and rogue servers.
    public static func build(query: String, inventory: Inventory, timeline: ClientTimeline?, rogues: [RogueServer],
                             now: Double, serverStarted: Double) -> NodeDetail {
        let profile = inventory.profile(matching: query)
        let subject = BootDoctor.Subject(query: query, profile: profile,
                                         closestNode: profile == nil ? inventory.nodeName(closestTo: query) : nil)
        let events = timeline?.events ?? []
        let (stage, since) = BootStage.read(events, kernel: profile?.kernel?.value, initrd: profile?.initrd?.value,
                                            now: now)
        return NodeDetail(name: profile?.name ?? timeline?.client ?? query,
                          mac: profile.map { "\($0.mac)" } ?? timeline?.mac,
                          address: profile.map { "\($0.ip)" } ?? timeline?.address, image: profile?.image?.value,
                          stage: stage, since: since, bars: Waterfall.bars(events), events: events,
                          diagnosis: BootDoctor.diagnose(subject, timeline: timeline, rogues: rogues, now: now,
                                                         serverStarted: serverStarted),
                          now: now)
    }
}
