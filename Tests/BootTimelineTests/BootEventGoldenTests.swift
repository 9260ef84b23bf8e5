import BootTimeline
import Foundation
import HexFixtures
import Testing
import Values

/// Every kind of boot event, its words (`BootEventText`), its JSON and the status views, against files in
/// `Golden/` (`NETROOT_REFRESH_GOLDEN=1` rewrites them).
@Suite struct BootEventGoldenTests {
    typealias Status = BootEvent.FileTransfer.Status

    /// One of each: request senders and flags, reply types and deliveries, every reason, every transfer ending,
    /// every BMC action.
    static let catalogue: [(String, BootEvent)] = {
        var events: [(String, BootEvent)] = []
        var time = 1_800_000_000.0
        func add(_ label: String, _ step: BootEvent.Step) {
            time += 0.25
            events.append((label, BootEvent(time: time, step)))
        }
        let senders: [(String, BootEvent.DHCPClient)] = [
            ("PXE ROM without option 93", .init(.pxeFirmware(nil))),
            ("PXE ROM, BIOS", .init(.pxeFirmware(.bios))),
            ("iPXE ROM, BIOS", .init(.pxeFirmware(.bios), ipxe: true)),
            ("UEFI PXE, arch 7", .init(.pxeFirmware(.uefi(architecture: 7)))),
            ("UEFI PXE, arch 9", .init(.pxeFirmware(.uefi(architecture: 9)))),
            ("UEFI PXE, arch 16", .init(.pxeFirmware(.uefi(architecture: 16)))),
            ("ARM64 UEFI PXE, arch 11", .init(.pxeFirmware(.other(architecture: 11)))),
            ("UEFI HTTP boot", .init(.vendorClass("HTTPClient:Arch:00016:UNDI:003000"))),
            ("initramfs udhcpc", .init(.vendorClass("udhcp 1.36.1"))),
            ("a vendor class escaped where it entered", .init(.vendorClass("udhcp\\x1b[2J"))),
            ("chain-loaded iPXE with its own vendor class", .init(.vendorClass("iPXE-ish"), ipxe: true)),
            ("no vendor class", .init(.none)),
        ]
        for (label, client) in senders {
            add("DISCOVER from \(label)", .dhcpRequest(type: .discover, client: client, broadcast: false))
        }
        for type in BootEvent.DHCPType.allCases {
            add("\(type.rawValue), broadcast flag", .dhcpRequest(type: type, client: .init(.vendorClass("dhclient")),
                                                                 broadcast: true))
        }
        let address = IPv4Address("10.0.0.11")
        add("OFFER, raw frame", .dhcpReply(.init(type: .offer, address: address, bootfile: "pxelinux.0",
                                                 rootPath: "nfs:10.0.0.1:/srv/alpha", delivery: .link)))
        add("OFFER, iPXE script URL, broadcast",
            .dhcpReply(.init(type: .offer, address: address,
                             bootfile: "http://10.0.0.1:8080/ipxe/01-52-54-00-00-00-01.ipxe", delivery: .broadcast)))
        add("ACK, no bootfile, no root-path, unicast",
            .dhcpReply(.init(type: .ack, address: address, delivery: .unicast(IPv4Address("10.0.0.11")!))))
        add("ACK through a relay, a root-path with commas",
            .dhcpReply(.init(type: .ack, address: address, bootfile: "efi64/syslinux.efi",
                             rootPath: "nfs:10.0.0.1:/srv/a,vers=4,ro", delivery: .relay(IPv4Address("10.0.1.1")!))))
        add("ACK to an INFORM (no address)", .dhcpReply(.init(type: .ack, delivery: .unicast(IPv4Address("10.0.0.50")!))))
        add("NAK with its message", .dhcpReply(.init(type: .nak, message: "offer expired", delivery: .broadcast)))
        add("NAK without a message", .dhcpReply(.init(type: .nak, delivery: .relay(IPv4Address("10.0.1.1")!))))
        let reasons: [(BootEvent.DHCPType?, BootEvent.UnansweredReason)] = [
            (.discover, .unknownClientWithoutPool), (.discover, .poolExhausted(network: "provision")),
            (.discover, .wrongSegment(node: "node1", network: "provision")), (.discover, .noNetworkForRequest),
            (.request, .selectedAnotherServer), (.request, .noRecordOfClient),
            (.request, .malformedRequest("SELECTING without requested address")), (.decline, .noReplyExpected),
            (.release, .noReplyExpected), (.offer, .serverMessage), (.discover, .otherAppliancesShare),
            (.request, .leaseStoreUnavailable), (nil, .noNetworkForRequest),
        ]
        for (type, reason) in reasons { add("unanswered: \(reason)", .unanswered(type: type, reason: reason)) }
        let files: [(String, BootEvent.FileTransfer)] = [
            ("TFTP, sent", .init(path: "pxelinux.0", via: .tftp, bytes: 47_309, duration: 0.012, status: .sent)),
            ("TFTP, under 1 KiB", .init(path: "pxelinux.cfg/01-52-54-00-00-00-01", via: .tftp, bytes: 312,
                                        duration: 0.0004, status: .sent)),
            ("TFTP, a kernel", .init(path: "alpha/vmlinuz", via: .tftp, bytes: 8_283_750, duration: 27.94,
                                     status: .sent)),
            ("TFTP, not found", .init(path: "alpha/initrd.gz", via: .tftp,
                                      status: .refused(code: 1, message: "file not found"))),
            ("TFTP, ended by the client after a tsize probe",
             .init(path: "pxelinux.0", via: .tftp, duration: 0.001,
                   status: .endedByClient(code: 0, message: "TFTP Aborted"))),
            ("TFTP, timed out", .init(path: "alpha/vmlinuz", via: .tftp, duration: 30, status: .timedOut(blocks: 1203))),
            ("TFTP, the file shrank", .init(path: "shrink.img", via: .tftp, duration: 0.2,
                                            status: .readFailed("file shortened while being sent: no byte at 512 of 4096"))),
            ("HTTP, a script", .init(path: "ipxe/01-52-54-00-00-00-01.ipxe", via: .http, bytes: 280, duration: 0.001,
                                     status: .http(code: 200, complete: true))),
            ("HTTP, a kernel with its throughput", .init(path: "alpha/vmlinuz", via: .http, bytes: 8_283_750,
                                                         duration: 0.243, status: .http(code: 200, complete: true))),
            ("HTTP, a range", .init(path: "big.bin", via: .http, bytes: 1024, duration: 0.002,
                                    status: .http(code: 206, complete: true), range: 1024...2047)),
            ("HTTP, HEAD", .init(path: "alpha/initrd.gz", via: .http, duration: 0.001,
                                 status: .http(code: 200, complete: true))),
            ("HTTP, not found", .init(path: "alpha/initrd.gz", via: .http, bytes: 40, duration: 0.001,
                                      status: .http(code: 404, complete: true))),
            ("HTTP, forbidden", .init(path: "../../../etc/passwd", via: .http, bytes: 20, duration: 0.001,
                                      status: .http(code: 403, complete: true))),
            ("HTTP, the connection lost", .init(path: "big.bin", via: .http, bytes: 16 << 20, duration: 2.5,
                                                status: .http(code: 200, complete: false))),
        ]
        for (label, file) in files { add(label, .file(file)) }
        let actions: [BootEvent.PowerAction] = [
            .on, .off, .cycle, .reset, .softOff, .bootDevice(target: "pxe", persistent: false, uefi: false),
            .bootDevice(target: "disk", persistent: true, uefi: true), .networkBoot(uefi: true),
        ]
        for action in actions { add("power", .power(action: action, failure: nil)) }
        add("power, failed", .power(action: .networkBoot(uefi: false), failure: "wrong username or password"))
        add("power, failed", .power(action: .on, failure: "no answer from 10.0.9.1:623"))
        return events
    }()

    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// The wall clock columns, which depend on the machine's time zone, masked (offsets and ages stay).
    static func maskingClock(_ text: String) -> String {
        text.replacing(/(?m)^  \d\d:\d\d:\d\d\.\d\d\d/) { _ in "  hh:mm:ss.mmm" }
            .replacing(/\d\d:\d\d:\d\d (\(\d+ (s|min|h) ago\))/) { match in "hh:mm:ss \(match.output.1)" }
    }

    @Test func eachEventsWordsAndJSON() throws {
        var text = ""
        for (label, event) in Self.catalogue {
            text += "# \(label)\n"
            text += "step    \(BootEventText.step(event))\n"
            text += "detail  \(BootEventText.detail(event))".trimmingCharacters(in: .whitespaces) + "\n"
            text += "facts   \(event.service.rawValue), \(event.outcome.rawValue)"
                + (event.startsBoot ? ", starts a boot" : "") + "\n"
            text += "json    \(try Self.json(event))\n\n"
        }
        let mismatch = GoldenFile.mismatch(text, "events.txt")
        #expect(mismatch == nil, "\(mismatch ?? "")")
    }

    @Test func theJSONReadsBackAsTheSameEvents() throws {
        let timeline = ClientTimeline(client: "node1", mac: "52:54:00:00:00:01", address: "10.0.0.11",
                                      events: Self.catalogue.map(\.1))
        let decoded = try JSONDecoder().decode(ClientTimeline.self, from: Data(try Self.json(timeline).utf8))
        #expect(decoded == timeline)
        for bad in [#"{"time":1,"kind":"teleport"}"#, #"{"time":1,"kind":"power","action":"explode"}"#,
                    #"{"time":1,"kind":"dhcp-reply","type":"ACK","address":"10.0.0.300","delivery":"link"}"#,
                    #"{"time":1,"kind":"file","via":"tftp","path":"x","status":"sent","range":[9,1]}"#] {
            #expect(throws: DecodingError.self, "\(bad)") { try JSONDecoder().decode(BootEvent.self, from: Data(bad.utf8)) }
        }
    }

    @Test func theStatusViews() throws {
        let timeline = ClientTimeline(client: "node1", mac: "52:54:00:00:00:01", address: "10.0.0.11",
                                      events: Self.catalogue.map(\.1))
        let now = Self.catalogue.last!.1.time + 7
        let lastFailed = ClientTimeline(client: "node2", mac: "52:54:00:00:00:02",
                                        events: Array(Self.catalogue.map(\.1).prefix(40)))
        let text = Self.maskingClock("$ netroot status\n" + TimelineReport.table([timeline, lastFailed], now: now)
                                      + "\n$ netroot status node1\n" + TimelineReport.timeline(timeline))
        let mismatch = GoldenFile.mismatch(text, "status.txt")
        #expect(mismatch == nil, "\(mismatch ?? "")")
    }
}
