import Foundation
import Values

/// The only place a boot event becomes text: the status table and `netroot status NODE`, the doctor, the
/// dashboard's waterfall and `netroot power`'s lines all read it from here. Pure. Quoted text (a vendor class, a
/// file name, a BMC's words) is returned as recorded: the renderers escape it (`Terminal.safe`).
public enum BootEventText {
    /// What happened, in a word or two: `DISCOVER`, `OFFER 10.0.0.11`, `DISCOVER unanswered`, `pxelinux.0`, `on`.
    public static func step(_ event: BootEvent) -> String {
        switch event.step {
        case .dhcpRequest(let type, _, _): type.rawValue
        case .dhcpReply(let reply): reply.address.map { "\(reply.type.rawValue) \($0)" } ?? reply.type.rawValue
        case .unanswered(let type, _): "\(type?.rawValue ?? "?") unanswered"
        case .file(let file): file.path
        case .power(let action, _): power(action)
        }
    }

    /// Who asked and what came of it: `PXE firmware, BIOS`, `bootfile pxelinux.0, root-path nfs:…, broadcast`,
    /// `46.2 KiB in 12 ms`, `HTTP 404`.
    public static func detail(_ event: BootEvent) -> String {
        switch event.step {
        case let .dhcpRequest(_, client, broadcast):
            Self.client(client) + (broadcast ? ", broadcast flag" : "")
        case .dhcpReply(let reply):
            Self.reply(reply)
        case let .unanswered(type, reason):
            Self.reason(reason, type: type)
        case .file(let file):
            Self.status(file)
        case .power(_, let failure):
            failure ?? ""
        }
    }

    /// `PXE firmware, UEFI`, `PXE firmware, arch 11, iPXE`, `udhcp 1.36.1`, `no vendor class`.
    public static func client(_ client: BootEvent.DHCPClient) -> String {
        var text: String
        switch client.sender {
        case .pxeFirmware(let firmware):
            text = "PXE firmware"
            switch firmware {
            case .bios: text += ", BIOS"
            case .uefi: text += ", UEFI"
            case .arm64: text += ", ARM64 UEFI"
            case .other(let architecture): text += ", arch \(architecture)"
            case nil: break
            }
        case .vendorClass(let vendorClass):
            text = vendorClass
        case .none:
            text = "no vendor class"
        }
        if client.ipxe { text += ", iPXE" }
        return text
    }

    /// `bootfile pxelinux.0, root-path nfs:10.0.0.1:/srv/alpha, raw frame to the MAC`; a NAK's reason first.
    public static func reply(_ reply: BootEvent.DHCPReply) -> String {
        var parts: [String] = []
        if let message = reply.message { parts.append(message) }
        if let bootfile = reply.bootfile { parts.append("bootfile \(bootfile)") }
        if let rootPath = reply.rootPath { parts.append(Self.rootPath(rootPath)) }
        parts.append(delivery(reply.delivery))
        return parts.joined(separator: ", ")
    }

    /// `root-path nfs:10.0.0.1:/srv/alpha`.
    public static func rootPath(_ rootPath: String) -> String { "root-path \(rootPath)" }

    /// `via relay 10.0.1.1`, `unicast`, `broadcast`, `raw frame to the MAC`.
    public static func delivery(_ delivery: BootEvent.Delivery) -> String {
        switch delivery {
        case .relay(let relay): "via relay \(relay)"
        case .unicast: "unicast"
        case .broadcast: "broadcast"
        case .link: "raw frame to the MAC"
        }
    }

    /// Why a request of `type` was not answered.
    public static func reason(_ reason: BootEvent.UnansweredReason, type: BootEvent.DHCPType?) -> String {
        let type = type?.rawValue ?? "?"
        return switch reason {
        case .unknownClientWithoutPool: "unknown MAC and no pool on its network"
        case .poolExhausted(let network): "pool of network \(network) exhausted"
        case let .wrongSegment(node, network): "node \(node) asked from a segment other than its network \(network)"
        case .noNetworkForRequest: "no declared network matches the request's segment"
        case .selectedAnotherServer: "client selected another server"
        case .noRecordOfClient: "no record of the client (RFC 2131 §4.3.2: stay silent)"
        case .malformedRequest(let why): "malformed request: \(why)"
        case .noReplyExpected: "\(type) needs no reply"
        case .serverMessage: "\(type) is a server message"
        case .otherAppliancesShare: "a pool client in another appliance's load-balancing share (RFC 3074)"
        case .leaseStoreUnavailable: "a pool client, and the lease database cannot be reached"
        }
    }

    /// How a transfer ended: `46.2 KiB in 12 ms`, `HTTP 200, 7.9 MiB in 243 ms (34.1 MB/s)`, `file not found`.
    /// A Secure Boot chain's files say what they are: `shim, 934.1 KiB in 410 ms`, `looked for by shim, not there`.
    public static func status(_ file: BootEvent.FileTransfer) -> String {
        let status = transfer(file)
        guard let role = LoaderFiles.role(of: file.path) else { return status }
        return file.isAbsentOptionalFile ? "\(role), not there (normal)" : "\(role), \(status)"
    }

    private static func transfer(_ file: BootEvent.FileTransfer) -> String {
        switch file.status {
        case .sent:
            return "\(TimelineReport.size(file.bytes)) in \(TimelineReport.seconds(file.duration))"
        case .refused(_, let message):
            return message
        case let .endedByClient(code, message):
            return "client ended it: error \(code) \(message)"
        case .timedOut(let blocks):
            return "timed out after \(blocks) blocks"
        case .readFailed(let why):
            return "failed: \(why)"
        case let .http(code, complete):
            var text = "HTTP \(code)"
            if file.bytes == 0, code < 300 {
                text += " (headers only)"
            } else if code < 300 {
                text += ", \(TimelineReport.size(file.bytes)) in \(TimelineReport.seconds(file.duration))"
                if file.duration > 0.05, file.bytes > 1 << 20 {
                    text += String(format: " (%.1f MB/s)", Double(file.bytes) / file.duration / 1e6)
                }
                if let range = file.range { text += ", bytes \(range.lowerBound)-\(range.upperBound)" }
            }
            if !complete { text += ", connection lost before the end" }
            return text
        }
    }

    /// A BMC action as the timeline names it under its service, `power`: `on`, `cycle`, `soft power off`,
    /// `boot device pxe (next boot, UEFI)`, `boot`.
    public static func power(_ action: BootEvent.PowerAction) -> String {
        switch action {
        case .on: "on"
        case .off: "off"
        case .cycle: "cycle"
        case .reset: "reset"
        case .softOff: "soft power off"
        case .bootDevice: powerStep(action)
        case .networkBoot: "boot"
        }
    }

    /// A BMC action as `netroot power` reports it on its own: `power on`, `power cycle`, `soft power off`,
    /// `boot device pxe (next boot)`, `network boot (UEFI)`.
    public static func powerStep(_ action: BootEvent.PowerAction) -> String {
        switch action {
        case .on: "power on"
        case .off: "power off"
        case .cycle: "power cycle"
        case .reset: "power reset"
        case .softOff: "soft power off"
        case let .bootDevice(target, persistent, uefi):
            "boot device \(target) (\(persistent ? "every boot" : "next boot")\(uefi ? ", UEFI" : ""))"
        case .networkBoot(let uefi): "network boot" + (uefi ? " (UEFI)" : "")
        }
    }
}
