import BootTimeline
import Foundation

extension NodeResult {
    /// What the node's boot timeline records of this result: the changes the BMC accepted, then the operation
    /// itself when it failed (with why). Reads (status, sensors, inventory) record nothing.
    public func timelineEvents(failedAt time: Double = Date().timeIntervalSince1970) -> [BootEvent] {
        guard let action = operation.timelineAction else { return [] }
        var events = (report?.steps ?? []).map(\.event)
        if let error { events.append(BootEvent(time: time, .power(action: action, failure: error))) }
        return events
    }
}

extension PowerOperation {
    /// The change this operation asks for, as a timeline step; nil for a read.
    public var timelineAction: PowerAction? {
        switch self {
        case .status, .sensors, .inventory: nil
        case .on: .on
        case .off: .off
        case .cycle: .cycle
        case .reset: .reset
        case .soft: .softOff
        case let .bootDevice(target, persistent, uefi): target.action(persistent: persistent, uefi: uefi)
        case .networkBoot(let uefi): .networkBoot(uefi: uefi)
        }
    }
}
