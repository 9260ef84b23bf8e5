import Foundation
import Power

/// What each power operation asks of a Redfish service, as request bodies and words (pure).
enum RedfishMapping {
    /// `ComputerSystem.Reset`'s ResetType for a power change. `cycle` is PowerCycle where the system offers it and
    /// ForceRestart where it does not (many BMCs list only On/ForceOff/ForceRestart/GracefulShutdown).
    static func resetType(for operation: PowerOperation, allowed: [String]?) -> String? {
        switch operation {
        case .on: "On"
        case .off: "ForceOff"
        case .reset: "ForceRestart"
        case .soft: "GracefulShutdown"
        case .cycle: cycleResetType(allowed: allowed)
        default: nil
        }
    }

    /// PowerCycle unless the system's allowable values are given and lack it.
    static func cycleResetType(allowed: [String]?) -> String {
        guard let allowed, !allowed.isEmpty, !allowed.contains("PowerCycle") else { return "PowerCycle" }
        return "ForceRestart"
    }

    /// `{"ResetType":"On"}`.
    static func resetBody(_ resetType: String) -> Data {
        encode(["ResetType": resetType])
    }

    /// Redfish's BootSourceOverrideTarget for netroot's boot targets.
    static func bootTarget(_ target: BootTarget) -> String {
        switch target {
        case .pxe: "Pxe"
        case .disk: "Hdd"
        case .bios: "BiosSetup"
        case .http: "UefiHttp"
        }
    }

    /// The PATCH of the system's `Boot`: the target, once or continuously, and UEFI mode when asked for (a
    /// legacy mode is never forced: the BMC keeps what it has).
    static func bootBody(_ target: BootTarget, persistent: Bool, uefi: Bool) -> Data {
        var boot = ["BootSourceOverrideEnabled": persistent ? "Continuous" : "Once",
                    "BootSourceOverrideTarget": bootTarget(target)]
        if uefi { boot["BootSourceOverrideMode"] = "UEFI" }
        return encode(["Boot": boot])
    }

    /// Whether power is applied: nil for a state this code does not know.
    static func powerIsOn(_ state: String?) -> Bool? {
        switch state {
        case "On", "PoweringOff", "Paused": true
        case "Off", "PoweringOn": false
        default: nil
        }
    }

    /// The step a reset puts in the node's boot timeline, as the IPMI driver's would be.
    static func action(forResetType resetType: String, operation: PowerOperation) -> PowerAction {
        switch resetType {
        case "On", "ForceOn": .on
        case "ForceOff": .off
        case "GracefulShutdown": .softOff
        case "PowerCycle": .cycle
        default: operation == .reset ? .reset : .cycle
        }
    }

    /// The system's path: the one given as bmc.system, else `/redfish/v1/Systems/<id>` for a bare id.
    static func systemPath(_ configured: String) -> String {
        configured.hasPrefix("/") ? configured : "/redfish/v1/Systems/" + configured
    }

    /// Keys sorted, so a body is the same bytes every time (tests compare them; BMCs do not care).
    private static func encode(_ object: some Encodable) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(object)) ?? Data()
    }
}
