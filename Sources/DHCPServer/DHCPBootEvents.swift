import BootTimeline
import DHCP
import Inventory

/// DHCP exchanges as typed timeline steps. This runs for every packet: it copies facts, it formats no text
/// (`BootEventText` does, when the timeline is shown).
enum DHCPBootEvents {
    /// The client as the timeline names it: the node, else its MAC.
    static func client(node: String?, mac: MACAddress) -> String { node ?? "\(mac)" }

    /// The request: its type and which software sent it (PXE firmware or the initramfs, by option 60, escaped).
    static func request(_ request: DHCPMessage, type: DHCPMessageType, time: Double) -> BootEvent {
        let facts = ClientFacts(request)
        let sender: BootEvent.DHCPClient.Sender
        if facts.isPXEFirmware {
            sender = .pxeFirmware(facts.architecture.map(firmware))
        } else if let vendor = request.options.shownVendorClass {
            sender = .vendorClass(vendor)
        } else {
            sender = .none
        }
        return BootEvent(time: time, .dhcpRequest(type: Self.type(type), client: .init(sender, ipxe: facts.isIPXE),
                                                  broadcast: request.broadcastFlag))
    }

    /// The reply: type and address, then what it tells the client to boot and how it went.
    static func reply(_ reply: DHCPMessage, type: DHCPMessageType, delivery: Delivery, time: Double) -> BootEvent {
        let kind: BootEvent.ReplyType = switch type {
        case .offer: .offer
        case .nak: .nak
        default: .ack
        }
        let fileName = reply.fileName
        return BootEvent(time: time, .dhcpReply(.init(
            type: kind, address: kind == .nak || reply.yiaddr.value == 0 ? nil : reply.yiaddr,
            bootfile: fileName.isEmpty ? nil : fileName, rootPath: reply.options.rootPath,
            message: kind == .nak ? reply.options[OptionCode.message].map { String(decoding: $0, as: UTF8.self) } : nil,
            delivery: self.delivery(delivery))))
    }

    /// A request left unanswered, and why; nil for what is not a client's DHCP request at all (the timeline
    /// records those under no client).
    static func unanswered(_ type: DHCPMessageType?, reason: IgnoreReason, time: Double) -> BootEvent? {
        let why: BootEvent.UnansweredReason
        switch reason {
        case .notARequest, .notEthernet, .noMessageType: return nil
        case .unknownClientWithoutPool: why = .unknownClientWithoutPool
        case .poolExhausted(let network): why = .poolExhausted(network: network)
        case let .wrongSegment(node, network): why = .wrongSegment(node: node, network: network)
        case .noNetworkForRequest: why = .noNetworkForRequest
        case .selectedAnotherServer: why = .selectedAnotherServer
        case .noRecordOfClient: why = .noRecordOfClient
        case .malformedRequest(let text): why = .malformedRequest(text)
        case .noReplyExpected: why = .noReplyExpected
        case .serverMessage: why = .serverMessage
        case .otherAppliancesShare: why = .otherAppliancesShare
        case .leaseStoreUnavailable: why = .leaseStoreUnavailable
        }
        return BootEvent(time: time, .unanswered(type: type.map(Self.type), reason: why))
    }

    static func type(_ type: DHCPMessageType) -> BootEvent.DHCPType {
        switch type {
        case .discover: .discover
        case .offer: .offer
        case .request: .request
        case .decline: .decline
        case .ack: .ack
        case .nak: .nak
        case .release: .release
        case .inform: .inform
        }
    }

    /// Option 93's architecture as netroot picks bootfiles by it (`ClientFacts.firmware`).
    static func firmware(_ architecture: UInt16) -> BootEvent.Firmware {
        switch ClientFacts.firmware(forArchitecture: architecture) {
        case .bios: .bios
        case .uefi: .uefi(architecture: architecture)
        case .arm64: .arm64(architecture: architecture)
        case nil: .other(architecture: architecture)
        }
    }

    private static func delivery(_ delivery: Delivery) -> BootEvent.Delivery {
        switch delivery {
        case .relay(let relay): .relay(relay)
        case .unicast(let client): .unicast(client)
        case .broadcast: .broadcast
        case .link: .link
        }
    }
}
