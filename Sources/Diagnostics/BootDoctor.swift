import BootTimeline
import Inventory
import Values

/// `netroot doctor NODE`: the node's last boot attempt explained in plain words (pure: the timeline, the rogue
/// servers seen and the inventory's view of the node in; sentences out).
public enum BootDoctor {
    /// What the doctor knows of the node.
    public struct Subject {
        /// As the administrator named it: a node name, MAC or IP.
        public var query: String
        /// The node in nodes.yaml, if it is there.
        public var profile: BootProfile?
        /// For a client nodes.yaml does not know: the node whose name or MAC is closest.
        public var closestNode: String?

        public init(query: String, profile: BootProfile?, closestNode: String? = nil) {
            self.query = query
            self.profile = profile
            self.closestNode = closestNode
        }
    }

    /// After this long without a step, a boot that stopped short has stopped, not merely paused.
    public static let stallAfter: Double = 60

    /// One line per finding, control characters escaped (`Terminal.safe`): findings quote what clients sent.
    public static func diagnose(_ subject: Subject, timeline: ClientTimeline?, rogues: [RogueServer], now: Double,
                                serverStarted: Double) -> [String] {
        let mac = subject.profile.map { "\($0.mac)" } ?? timeline?.mac ?? subject.query.lowercased()
        let answeredBy = rogues.filter { $0.clients.contains(mac) }
        let findings = whereItStopped(subject, timeline: timeline, answeredBy: answeredBy, now: now,
                                      serverStarted: serverStarted)
            + answeredBy.map { rogue in
                "another DHCP server, \(rogue.ip) (\(rogue.mac)), answered this client (\(rogue.lastReply)); "
                    + "stop it or keep it off the provisioning VLAN"
            }
        return findings.map(Terminal.safe)
    }

    /// The first thing that went wrong in the boot, or how far it got.
    private static func whereItStopped(_ subject: Subject, timeline: ClientTimeline?, answeredBy: [RogueServer],
                                       now: Double, serverStarted: Double) -> [String] {
        let name = subject.profile.map { "\($0.name) (\($0.mac))" } ?? subject.query
        var findings: [String] = []
        guard let events = timeline?.events, !events.isEmpty else {
            if subject.profile == nil {
                findings.append("\(subject.query) is not in nodes.yaml" + hint(subject)
                                + ", and no request from it was seen since the server started")
            } else {
                findings.append("no DHCP request seen from \(name) since the server started "
                                + "\(ago(now - serverStarted)): check cabling and VLAN, the boot order (network "
                                + "boot first) and that the NIC's MAC is \(subject.profile!.mac)")
            }
            return findings
        }
        let dhcp = events.filter { $0.service == .dhcp }
        if dhcp.isEmpty, let power = events.last(where: { $0.service == .power }) {
            return [powerFinding(power, name: name, profile: subject.profile, now: now)]
        }

        if subject.profile == nil, let refused = dhcp.last(where: {
            if case .unanswered(_, .unknownClientWithoutPool) = $0.step { true } else { false }
        }), case .unanswered(let type, _) = refused.step {
            findings.append("\(subject.query) asked for an address (\(type?.rawValue ?? "?")) "
                            + "\(ago(now - refused.time)) but is not in nodes.yaml" + hint(subject)
                            + "; add it with its MAC, or give its network a pool")
            return findings
        }
        if let nak = dhcp.last(where: { $0.replyType == .nak }),
           !dhcp.contains(where: { $0.time > nak.time && $0.replyType == .ack }) {
            let why = nak.reply?.message ?? BootEventText.detail(nak)
            findings.append("the server refused the client's REQUEST (NAK: \(why)); it should start over "
                            + "with a DISCOVER")
            return findings
        }
        guard let firmwareAck = dhcp.first(where: { $0.replyType == .ack }) else {
            if let offer = dhcp.last(where: { $0.replyType == .offer }) {
                let offered = offer.reply?.address.map { "\($0)" } ?? "an address"
                var text = "offered \(offered) \(ago(now - offer.time)) but no REQUEST followed"
                if let rogue = answeredBy.first {
                    text += ": another DHCP server (\(rogue.ip)) answered first and the client took its offer"
                } else if now - offer.time < stallAfter {
                    text += " yet (the firmware may still be choosing among offers)"
                } else {
                    text += ": the client did not accept the offer (another DHCP server? a firmware that needs "
                        + "something in the OFFER?)"
                }
                findings.append(text)
            } else if let unanswered = dhcp.last(where: {
                if case .unanswered = $0.step { true } else { false }
            }) {
                findings.append("its \(BootEventText.step(unanswered)) \(ago(now - unanswered.time)): "
                                + BootEventText.detail(unanswered))
            } else {
                findings.append("a DHCP request was seen, but nothing was offered")
            }
            return findings
        }
        // Files come by TFTP (pxelinux) or HTTP (iPXE); the doctor reads both alike.
        let fetches = events.filter { $0.time >= firmwareAck.time }.compactMap { event in
            event.file.map { (time: event.time, file: $0, event: event) }
        }
        let overHTTP = subject.profile?.boot.value == .ipxe
        if fetches.isEmpty, firmwareAck.reply?.bootfile == nil, let profile = subject.profile, profile.kernel != nil,
           let firmware = firstFirmwareRequest(dhcp) {
            findings.append("the firmware got its address \(ago(now - firmwareAck.time)) but no boot loader: "
                            + BootLoaderAdvice.missingLoader(architecture: firmware.architecture,
                                                             httpBoot: firmware.httpBoot, boot: profile.boot.value))
            return findings
        }
        if let refusal = SecureBootRefusal.find(events: events, firmwareAck: firmwareAck, profile: subject.profile,
                                                now: now, stallAfter: stallAfter) {
            findings.append(refusal)
            return findings
        }
        if let missing = fetches.last(where: { !$0.file.succeeded }),
           !fetches.contains(where: { $0.time > missing.time && $0.file.path == missing.file.path && $0.file.succeeded }) {
            findings.append("\(missing.file.via == .http ? "HTTP" : "TFTP") \(missing.file.path) failed "
                            + "\(ago(now - missing.time)): \(BootEventText.detail(missing.event))"
                            + advice(forMissing: missing.file.path, profile: subject.profile))
            return findings
        }
        guard !fetches.isEmpty else {
            let check = overHTTP
                ? ": check that server.http_boot_port (TCP) reaches the server (boot: ipxe fetches over HTTP)"
                : ": check that UDP port 69 reaches the server and the bootfile exists"
            findings.append("the firmware got its address \(ago(now - firmwareAck.time)) "
                            + "(\(BootEventText.detail(firmwareAck))) but "
                            + "fetched nothing by \(overHTTP ? "HTTP" : "TFTP")"
                            + (now - firmwareAck.time < stallAfter ? " yet" : check))
            return findings
        }
        let fetched = Set(fetches.filter { $0.file.succeeded }.map(\.file.path))
        let kernel = subject.profile?.kernel?.value
        let initrd = subject.profile?.initrd?.value
        let configFetched = fetched.contains {
            $0.hasPrefix("pxelinux.cfg/") || $0.contains("/pxelinux.cfg/") || $0.hasPrefix("ipxe/")
                || $0.hasPrefix("grub/grub.cfg-")
        }
        if let kernel, !fetched.contains(kernel) {
            let last = fetches.last!
            findings.append(configFetched
                ? "the boot config was fetched but the kernel \(kernel) never was (last: \(last.file.path) "
                    + "\(ago(now - last.time))): check the \(overHTTP ? "kernel line of its iPXE script" : "KERNEL line") "
                    + "(`netroot pxe-config \(subject.profile!.name)`)"
                : "the bootloader was fetched (\(last.file.path)) but not the node's boot config or kernel")
            return findings
        }
        if let initrd, !fetched.contains(initrd) {
            findings.append("the kernel was fetched but the initrd \(initrd) never was: check the INITRD line")
            return findings
        }
        let bootFile = fetches.last { $0.file.succeeded }!
        let secondDHCP = events.filter { $0.time > bootFile.time && $0.service == .dhcp && !isFirmware($0) }
        guard let ack = secondDHCP.last(where: { $0.replyType == .ack }) else {
            let waited = now - bootFile.time
            if waited < stallAfter {
                findings.append("in progress: \(bootFile.file.path) was fetched \(ago(waited)); waiting for the "
                                + "initramfs to ask DHCP again")
            } else {
                findings.append("\(bootFile.file.path) was fetched \(ago(waited)) and no DHCP request followed: the "
                                + "initramfs did not start networking (is rd.neednet=1 / BOOTIF / root=dhcp on the "
                                + "command line, and the NIC's driver in the initramfs?)")
            }
            return findings
        }
        let took = ack.time - events[0].time
        var text = "booted to its initramfs: \(BootEventText.step(ack)) \(ago(now - ack.time)), "
            + "\(TimelineReport.seconds(took)) after its first DHCP request"
        if let rootPath = ack.reply?.rootPath {
            text += "; " + BootEventText.rootPath(rootPath)
        } else {
            text += "; no root-path was sent (the node's image has no root_path)"
        }
        findings.append(text)
        return findings
    }

    /// The architecture the boot's first firmware request named, and whether it was UEFI HTTP boot.
    static func firstFirmwareRequest(_ dhcp: [BootEvent]) -> (architecture: UInt16, httpBoot: Bool)? {
        for event in dhcp {
            guard case .dhcpRequest(_, let client, _) = event.step else { continue }
            switch client.sender {
            case .pxeFirmware(let firmware?): return (firmware.architecture, false)
            case .vendorClass(let vendor) where vendor.hasPrefix("HTTPClient:Arch:"):
                let digits = vendor.dropFirst("HTTPClient:Arch:".count).prefix(5)
                if let architecture = UInt16(digits) { return (architecture, true) }
            default: continue
            }
        }
        return nil
    }

    /// A request from PXE firmware (iPXE included), or a step that starts a boot.
    private static func isFirmware(_ event: BootEvent) -> Bool {
        if case .dhcpRequest(_, let client, _) = event.step, client.isPXEFirmware { return true }
        return event.startsBoot
    }

    private static func advice(forMissing file: String, profile: BootProfile?) -> String {
        guard let profile else { return "" }
        if file == profile.kernel?.value { return ": the image's kernel is not under tftp_root (check `kernel:`)" }
        if file == profile.initrd?.value { return ": the image's initrd is not under tftp_root (check `initrd:`)" }
        if file == profile.biosBootfile.value || file == profile.uefiBootfile.value {
            return ": install the bootloaders (images/install-bootloaders)"
        }
        return ""
    }

    /// The boot so far is only BMC actions: one failed, or the node was powered on and never asked for an address.
    private static func powerFinding(_ power: BootEvent, name: String, profile: BootProfile?, now: Double) -> String {
        if power.outcome == .failed {
            return "the last power action on \(name) failed \(ago(now - power.time)): \(BootEventText.step(power)): "
                + BootEventText.detail(power)
        }
        guard power.startsBoot else {
            return "\(name)'s last step was a power action (\(BootEventText.step(power)), \(ago(now - power.time))); it has not "
                + "been powered on since"
        }
        let waited = now - power.time
        let still = waited < stallAfter ? "no DHCP request yet (servers can take minutes in POST)"
            : "no DHCP request since"
        return "\(name) was powered on through its BMC \(ago(waited)) (power \(BootEventText.step(power))) but \(still): check "
            + "that the boot order puts the network first (netroot power bootdev pxe), cabling and VLAN"
            + (profile.map { ", and that the NIC's MAC is \($0.mac)" } ?? "")
    }

    private static func hint(_ subject: Subject) -> String {
        subject.closestNode.map { " (closest: \($0) — a mistyped MAC?)" } ?? ""
    }

    private static func ago(_ seconds: Double) -> String { TimelineReport.ago(seconds) }
}
