import Values

/// The JSON of a boot event (the control socket, `netroot status --json`, the dashboard): one flat object whose
/// `kind` says which facts follow. `service` and `outcome` are written for readers and ignored when decoding.
///
///     {"time":…,"kind":"dhcp-request","service":"dhcp","outcome":"ok","type":"DISCOVER",
///      "client":"pxe-firmware","firmware":"uefi","architecture":7,"ipxe":true,"broadcast":false}
///     {"time":…,"kind":"dhcp-reply",…,"type":"ACK","address":"10.0.0.11","bootfile":"pxelinux.0",
///      "rootPath":"nfs:10.0.0.1:/srv/alpha","delivery":"relay","deliveredTo":"10.0.1.1"}
///     {"time":…,"kind":"dhcp-unanswered",…,"type":"DISCOVER","reason":"pool-exhausted","network":"provision"}
///     {"time":…,"kind":"file","service":"http",…,"via":"http","path":"alpha/vmlinuz","bytes":8388608,
///      "seconds":0.24,"status":"http","code":206,"complete":true,"range":[0,1023]}
///     {"time":…,"kind":"power",…,"action":"boot-device","target":"pxe","persistent":false,"uefi":true}
extension BootEvent: Codable {
    private enum Key: String, CodingKey {
        case time, kind, service, outcome
        case type, client, firmware, architecture, vendorClass, ipxe, broadcast
        case address, bootfile, rootPath, message, delivery, deliveredTo
        case reason, network, node, why
        case via, path, bytes, seconds, status, code, complete, blocks, range
        case action, target, persistent, uefi, failure
    }

    public func encode(to encoder: any Encoder) throws {
        var out = encoder.container(keyedBy: Key.self)
        try out.encode(time, forKey: .time)
        switch step {
        case let .dhcpRequest(type, client, broadcast):
            try out.encode("dhcp-request", forKey: .kind)
            try header(&out)
            try out.encode(type, forKey: .type)
            switch client.sender {
            case .pxeFirmware(let firmware):
                try out.encode("pxe-firmware", forKey: .client)
                if let firmware {
                    let name = switch firmware {
                    case .bios: "bios"
                    case .uefi: "uefi"
                    case .arm64: "arm64"
                    case .other: "other"
                    }
                    try out.encode(name, forKey: .firmware)
                    try out.encode(firmware.architecture, forKey: .architecture)
                }
            case .vendorClass(let vendorClass):
                try out.encode("vendor-class", forKey: .client)
                try out.encode(vendorClass, forKey: .vendorClass)
            case .none:
                try out.encode("none", forKey: .client)
            }
            try out.encode(client.ipxe, forKey: .ipxe)
            try out.encode(broadcast, forKey: .broadcast)
        case .dhcpReply(let reply):
            try out.encode("dhcp-reply", forKey: .kind)
            try header(&out)
            try out.encode(reply.type, forKey: .type)
            try out.encodeIfPresent(reply.address.map { "\($0)" }, forKey: .address)
            try out.encodeIfPresent(reply.bootfile, forKey: .bootfile)
            try out.encodeIfPresent(reply.rootPath, forKey: .rootPath)
            try out.encodeIfPresent(reply.message, forKey: .message)
            switch reply.delivery {
            case .relay(let relay):
                try out.encode("relay", forKey: .delivery)
                try out.encode("\(relay)", forKey: .deliveredTo)
            case .unicast(let client):
                try out.encode("unicast", forKey: .delivery)
                try out.encode("\(client)", forKey: .deliveredTo)
            case .broadcast:
                try out.encode("broadcast", forKey: .delivery)
            case .link:
                try out.encode("link", forKey: .delivery)
            }
        case let .unanswered(type, reason):
            try out.encode("dhcp-unanswered", forKey: .kind)
            try header(&out)
            try out.encodeIfPresent(type, forKey: .type)
            switch reason {
            case .unknownClientWithoutPool: try out.encode("unknown-client-without-pool", forKey: .reason)
            case .poolExhausted(let network):
                try out.encode("pool-exhausted", forKey: .reason)
                try out.encode(network, forKey: .network)
            case let .wrongSegment(node, network):
                try out.encode("wrong-segment", forKey: .reason)
                try out.encode(node, forKey: .node)
                try out.encode(network, forKey: .network)
            case .noNetworkForRequest: try out.encode("no-network-for-request", forKey: .reason)
            case .selectedAnotherServer: try out.encode("selected-another-server", forKey: .reason)
            case .noRecordOfClient: try out.encode("no-record-of-client", forKey: .reason)
            case .malformedRequest(let why):
                try out.encode("malformed-request", forKey: .reason)
                try out.encode(why, forKey: .why)
            case .noReplyExpected: try out.encode("no-reply-expected", forKey: .reason)
            case .serverMessage: try out.encode("server-message", forKey: .reason)
            case .otherAppliancesShare: try out.encode("other-appliances-share", forKey: .reason)
            case .leaseStoreUnavailable: try out.encode("lease-store-unavailable", forKey: .reason)
            }
        case .file(let file):
            try out.encode("file", forKey: .kind)
            try header(&out)
            try out.encode(file.via, forKey: .via)
            try out.encode(file.path, forKey: .path)
            try out.encode(file.bytes, forKey: .bytes)
            try out.encode(file.duration, forKey: .seconds)
            switch file.status {
            case .sent:
                try out.encode("sent", forKey: .status)
            case let .refused(code, message):
                try out.encode("refused", forKey: .status)
                try out.encode(code, forKey: .code)
                try out.encode(message, forKey: .message)
            case let .endedByClient(code, message):
                try out.encode("ended-by-client", forKey: .status)
                try out.encode(code, forKey: .code)
                try out.encode(message, forKey: .message)
            case .timedOut(let blocks):
                try out.encode("timed-out", forKey: .status)
                try out.encode(blocks, forKey: .blocks)
            case .readFailed(let why):
                try out.encode("read-failed", forKey: .status)
                try out.encode(why, forKey: .why)
            case let .http(code, complete):
                try out.encode("http", forKey: .status)
                try out.encode(code, forKey: .code)
                try out.encode(complete, forKey: .complete)
            }
            if let range = file.range { try out.encode([range.lowerBound, range.upperBound], forKey: .range) }
        case let .power(action, failure):
            try out.encode("power", forKey: .kind)
            try header(&out)
            switch action {
            case .on: try out.encode("on", forKey: .action)
            case .off: try out.encode("off", forKey: .action)
            case .cycle: try out.encode("cycle", forKey: .action)
            case .reset: try out.encode("reset", forKey: .action)
            case .softOff: try out.encode("soft-off", forKey: .action)
            case let .bootDevice(target, persistent, uefi):
                try out.encode("boot-device", forKey: .action)
                try out.encode(target, forKey: .target)
                try out.encode(persistent, forKey: .persistent)
                try out.encode(uefi, forKey: .uefi)
            case .networkBoot(let uefi):
                try out.encode("network-boot", forKey: .action)
                try out.encode(uefi, forKey: .uefi)
            }
            try out.encodeIfPresent(failure, forKey: .failure)
        }
    }

    /// The derived fields, for readers of the JSON.
    private func header(_ out: inout KeyedEncodingContainer<Key>) throws {
        try out.encode(service, forKey: .service)
        try out.encode(outcome, forKey: .outcome)
    }

    public init(from decoder: any Decoder) throws {
        let input = try decoder.container(keyedBy: Key.self)
        let time = try input.decode(Double.self, forKey: .time)
        let kind = try input.decode(String.self, forKey: .kind)
        func string(_ key: Key) throws -> String { try input.decode(String.self, forKey: key) }
        func address(_ key: Key) throws -> IPv4Address {
            let text = try string(key)
            guard let address = IPv4Address(text) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: input, debugDescription: "not an IPv4 address")
            }
            return address
        }
        func unknown(_ key: Key, _ value: String) -> DecodingError {
            DecodingError.dataCorruptedError(forKey: key, in: input, debugDescription: "unknown \(key.rawValue) \(value)")
        }
        let step: Step
        switch kind {
        case "dhcp-request":
            let sender: DHCPClient.Sender
            switch try string(.client) {
            case "pxe-firmware":
                if let architecture = try input.decodeIfPresent(UInt16.self, forKey: .architecture) {
                    sender = switch try string(.firmware) {
                    case "bios": .pxeFirmware(.bios)
                    case "uefi": .pxeFirmware(.uefi(architecture: architecture))
                    case "arm64": .pxeFirmware(.arm64(architecture: architecture))
                    default: .pxeFirmware(.other(architecture: architecture))
                    }
                } else {
                    sender = .pxeFirmware(nil)
                }
            case "vendor-class": sender = .vendorClass(try string(.vendorClass))
            case "none": sender = .none
            case let other: throw unknown(.client, other)
            }
            step = .dhcpRequest(type: try input.decode(DHCPType.self, forKey: .type),
                                client: DHCPClient(sender, ipxe: try input.decodeIfPresent(Bool.self, forKey: .ipxe) ?? false),
                                broadcast: try input.decodeIfPresent(Bool.self, forKey: .broadcast) ?? false)
        case "dhcp-reply":
            let delivery: Delivery = switch try string(.delivery) {
            case "relay": .relay(try address(.deliveredTo))
            case "unicast": .unicast(try address(.deliveredTo))
            case "broadcast": .broadcast
            case "link": .link
            case let other: throw unknown(.delivery, other)
            }
            step = .dhcpReply(DHCPReply(
                type: try input.decode(ReplyType.self, forKey: .type),
                address: try input.contains(.address) ? address(.address) : nil,
                bootfile: try input.decodeIfPresent(String.self, forKey: .bootfile),
                rootPath: try input.decodeIfPresent(String.self, forKey: .rootPath),
                message: try input.decodeIfPresent(String.self, forKey: .message), delivery: delivery))
        case "dhcp-unanswered":
            let reason: UnansweredReason = switch try string(.reason) {
            case "unknown-client-without-pool": .unknownClientWithoutPool
            case "pool-exhausted": .poolExhausted(network: try string(.network))
            case "wrong-segment": .wrongSegment(node: try string(.node), network: try string(.network))
            case "no-network-for-request": .noNetworkForRequest
            case "selected-another-server": .selectedAnotherServer
            case "no-record-of-client": .noRecordOfClient
            case "malformed-request": .malformedRequest(try string(.why))
            case "no-reply-expected": .noReplyExpected
            case "server-message": .serverMessage
            case "other-appliances-share": .otherAppliancesShare
            case "lease-store-unavailable": .leaseStoreUnavailable
            case let other: throw unknown(.reason, other)
            }
            step = .unanswered(type: try input.decodeIfPresent(DHCPType.self, forKey: .type), reason: reason)
        case "file":
            let status: FileTransfer.Status = switch try string(.status) {
            case "sent": .sent
            case "refused": .refused(code: try input.decode(UInt16.self, forKey: .code), message: try string(.message))
            case "ended-by-client":
                .endedByClient(code: try input.decode(UInt16.self, forKey: .code), message: try string(.message))
            case "timed-out": .timedOut(blocks: try input.decode(Int.self, forKey: .blocks))
            case "read-failed": .readFailed(try string(.why))
            case "http": .http(code: try input.decode(Int.self, forKey: .code),
                               complete: try input.decodeIfPresent(Bool.self, forKey: .complete) ?? true)
            case let other: throw unknown(.status, other)
            }
            var range: ClosedRange<Int>?
            if let bounds = try input.decodeIfPresent([Int].self, forKey: .range) {
                guard bounds.count == 2, bounds[0] <= bounds[1] else {
                    throw DecodingError.dataCorruptedError(forKey: .range, in: input, debugDescription: "not a range")
                }
                range = bounds[0]...bounds[1]
            }
            step = .file(FileTransfer(path: try string(.path), via: try input.decode(FileTransfer.Via.self, forKey: .via),
                                      bytes: try input.decodeIfPresent(Int.self, forKey: .bytes) ?? 0,
                                      duration: try input.decodeIfPresent(Double.self, forKey: .seconds) ?? 0,
                                      status: status, range: range))
        case "power":
            let action: PowerAction = switch try string(.action) {
            case "on": .on
            case "off": .off
            case "cycle": .cycle
            case "reset": .reset
            case "soft-off": .softOff
            case "boot-device":
                .bootDevice(target: try string(.target),
                            persistent: try input.decodeIfPresent(Bool.self, forKey: .persistent) ?? false,
                            uefi: try input.decodeIfPresent(Bool.self, forKey: .uefi) ?? false)
            case "network-boot": .networkBoot(uefi: try input.decodeIfPresent(Bool.self, forKey: .uefi) ?? false)
            case let other: throw unknown(.action, other)
            }
            step = .power(action: action, failure: try input.decodeIfPresent(String.self, forKey: .failure))
        default:
            throw unknown(.kind, kind)
        }
        self.init(time: time, step)
    }
}
