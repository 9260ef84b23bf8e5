import BootTimeline
import DHCP
import Inventory

/// How DHCP exchanges read in a node's boot timeline.
enum DHCPBootEvents {
    /// The client as the timeline names it: the node, else its MAC.
    static func client(node: String?, mac: MACAddress) -> String { node ?? "\(mac)" }

    /// The request: its type and which software sent it (PXE firmware or the initramfs, by option 60, escaped).
    static func request(_ request: DHCPMessage, type: DHCPMessageType, time: Double) -> BootEvent {
        let facts = ClientFacts(request)
        var sender: String
        if facts.isPXEFirmware {
            sender = "PXE firmware"
            if let architecture = facts.architecture {
                switch ClientFacts.firmware(forArchitecture: architecture) {
                case .bios: sender += ", BIOS"
                case .uefi: sender += ", UEFI"
                case nil: sender += ", arch \(architecture)"
                }
            }
        } else if let vendor = request.options.shownVendorClass {
            sender = vendor
        } else {
            sender = "no vendor class"
        }
        if request.broadcastFlag { sender += ", broadcast flag" }
        return BootEvent(time: time, service: .dhcp, step: "\(type)", detail: sender,
                         startsBoot: type == .discover && facts.isPXEFirmware)
    }

    /// The reply: type and address, then what it tells the client to boot.
    static func reply(_ reply: DHCPMessage, type: DHCPMessageType, delivery: Delivery, time: Double) -> BootEvent {
        var details: [String] = []
        if !reply.fileName.isEmpty { details.append("bootfile \(reply.fileName)") }
        if let rootPath = reply.options.rootPath { details.append("root-path \(rootPath)") }
        details.append(label(delivery))
        let step = type == .nak ? "NAK" : "\(type) \(reply.yiaddr)"
        return BootEvent(time: time, service: .dhcp, step: step, detail: details.joined(separator: ", "),
                         outcome: type == .nak ? .failed : .ok)
    }

    /// A request left unanswered, and why; the client's own RELEASE or DECLINE is not a failure.
    static func unanswered(_ type: DHCPMessageType?, reason: IgnoreReason, time: Double) -> BootEvent {
        let expected: Bool
        if case .noReplyExpected = reason { expected = true } else { expected = false }
        return BootEvent(time: time, service: .dhcp, step: "\(type.map { "\($0)" } ?? "?") unanswered",
                         detail: "\(reason)", outcome: expected ? .ok : .failed)
    }

    private static func label(_ delivery: Delivery) -> String {
        switch delivery {
        case .relay(let relay): "via relay \(relay)"
        case .unicast: "unicast"
        case .broadcast: "broadcast"
        case .link: "raw frame to the MAC"
        }
    }
}
