import Values

/// One step of a client's boot as netroot's servers saw it, typed: what happened is a `Step` with its facts
/// (message types, addresses, byte counts, seconds, status codes), never a sentence someone parses back.
/// Text is made only where it is shown, by `BootEventText`.
public struct BootEvent: Sendable, Equatable {
    /// Which server saw the step.
    public enum Service: String, Codable, Sendable {
        case dhcp
        case tftp
        /// A request to the HTTP boot service: an iPXE script, a kernel, an initrd.
        case http
        /// A BMC action (`netroot power`, `netroot boot`): boot device set, power on, cycle, off.
        case power
    }

    /// How the step ended, so a table can say where a boot went wrong.
    public enum Outcome: String, Codable, Sendable {
        case ok
        case failed
    }

    /// Seconds since 1970 (wall clock: shown to administrators next to their own logs).
    public var time: Double
    /// What happened.
    public var step: Step

    public init(time: Double, _ step: Step) {
        self.time = time
        self.step = step
    }

    /// What happened, with its facts.
    public enum Step: Sendable, Equatable {
        /// A DHCP message from a client, and which software sent it.
        case dhcpRequest(type: DHCPType, client: DHCPClient, broadcast: Bool)
        /// netroot's OFFER, ACK or NAK.
        case dhcpReply(DHCPReply)
        /// A client's message netroot did not answer (`type` nil when it had none), and why.
        case unanswered(type: DHCPType?, reason: UnansweredReason)
        /// A file served by TFTP or HTTP (an iPXE script too), recorded when its transfer ended.
        case file(FileTransfer)
        /// A BMC action `netroot power` / `netroot boot` took; `failure` is why it failed (the BMC's or the
        /// driver's words), nil when the BMC accepted it.
        case power(action: PowerAction, failure: String?)
    }

    // MARK: the facts

    /// DHCP message types (RFC 2132 §9.6), named as the RFC names them.
    public enum DHCPType: String, Codable, Sendable, CaseIterable {
        case discover = "DISCOVER"
        case offer = "OFFER"
        case request = "REQUEST"
        case decline = "DECLINE"
        case ack = "ACK"
        case nak = "NAK"
        case release = "RELEASE"
        case inform = "INFORM"
    }

    /// The software that sent a request, from its options 60, 77/175 and 93.
    public struct DHCPClient: Sendable, Equatable {
        /// What option 60 (vendor class) says.
        public enum Sender: Sendable, Equatable {
            /// `PXEClient…`: a NIC's PXE ROM or UEFI PXE (iPXE names itself so too); nil firmware: no option 93.
            case pxeFirmware(Firmware?)
            /// Any other vendor class, escaped where it entered: the initramfs's udhcpc or dhclient, UEFI HTTP
            /// boot's `HTTPClient…`.
            case vendorClass(String)
            /// No option 60.
            case none
        }

        public var sender: Sender
        /// iPXE itself (option 77 `iPXE`, or iPXE's option 175), ROM or chain-loaded.
        public var ipxe: Bool

        public init(_ sender: Sender, ipxe: Bool = false) {
            self.sender = sender
            self.ipxe = ipxe
        }

        /// PXE firmware (iPXE included): what a powered-on node runs first.
        public var isPXEFirmware: Bool {
            if case .pxeFirmware = sender { return true }
            return false
        }
    }

    /// The firmware option 93's architecture (RFC 4578 §2.1) names, as netroot picks bootfiles by it.
    public enum Firmware: Sendable, Equatable {
        /// Architecture 0.
        case bios
        /// x86-64 UEFI: 7, 9 or 16 (HTTP boot).
        case uefi(architecture: UInt16)
        /// ARM64 UEFI: 11, or 19 (HTTP boot); only `boot: grub` has a loader for it.
        case arm64(architecture: UInt16)
        /// An architecture netroot has no bootfile for (6: x86 UEFI, 10: ARM32 UEFI, …).
        case other(architecture: UInt16)

        public var architecture: UInt16 {
            switch self {
            case .bios: 0
            case .uefi(let architecture), .arm64(let architecture), .other(let architecture): architecture
            }
        }
    }

    /// The types of reply netroot sends.
    public enum ReplyType: String, Codable, Sendable, CaseIterable {
        case offer = "OFFER"
        case ack = "ACK"
        case nak = "NAK"
    }

    /// A reply netroot sent, and what it tells the client to boot.
    public struct DHCPReply: Sendable, Equatable {
        public var type: ReplyType
        /// `yiaddr`: the address offered or acknowledged; nil for a NAK and an ACK to an INFORM.
        public var address: IPv4Address?
        /// The bootfile (`file`), when one was sent.
        public var bootfile: String?
        /// Option 17, when sent.
        public var rootPath: String?
        /// Option 56: why a NAK refused.
        public var message: String?
        public var delivery: Delivery

        public init(type: ReplyType, address: IPv4Address? = nil, bootfile: String? = nil, rootPath: String? = nil,
                    message: String? = nil, delivery: Delivery) {
            self.type = type
            self.address = address
            self.bootfile = bootfile
            self.rootPath = rootPath
            self.message = message
            self.delivery = delivery
        }
    }

    /// Where a reply went (RFC 2131 §4.1).
    public enum Delivery: Sendable, Equatable {
        /// To the relay agent (`giaddr`).
        case relay(IPv4Address)
        /// To the client's own address (`ciaddr`).
        case unicast(IPv4Address)
        case broadcast
        /// An Ethernet frame to the client's MAC, for a client without an address that did not ask for broadcast.
        case link
    }

    /// Why a request was left unanswered.
    public enum UnansweredReason: Sendable, Equatable {
        /// A MAC nodes.yaml does not know, on a network without a pool.
        case unknownClientWithoutPool
        case poolExhausted(network: String)
        /// A node asked through a relay or interface of another network than its own.
        case wrongSegment(node: String, network: String)
        case noNetworkForRequest
        /// The REQUEST named another DHCP server.
        case selectedAnotherServer
        /// RFC 2131 §4.3.2: an INIT-REBOOT client netroot has no record of gets no answer.
        case noRecordOfClient
        /// A request missing what its state needs (netroot's own words).
        case malformedRequest(String)
        /// DECLINE and RELEASE have no reply: not a failure.
        case noReplyExpected
        /// A client sent an OFFER, ACK or NAK.
        case serverMessage
        /// A pool client in another appliance's load-balancing share (RFC 3074).
        case otherAppliancesShare
        /// A pool client while the shared lease database cannot be reached.
        case leaseStoreUnavailable
    }

    /// A file served by TFTP or HTTP, as its transfer ended.
    public struct FileTransfer: Sendable, Equatable {
        public enum Via: String, Codable, Sendable {
            case tftp
            case http
        }

        /// How the transfer ended.
        public enum Status: Sendable, Equatable {
            /// TFTP: every block acknowledged.
            case sent
            /// TFTP: refused with an ERROR (its code and message): not found, access violation.
            case refused(code: UInt16, message: String)
            /// TFTP: the client ended it with an ERROR of its own (escaped), e.g. after a tsize probe: not a failure.
            case endedByClient(code: UInt16, message: String)
            /// TFTP: the client stopped acknowledging after `blocks` blocks.
            case timedOut(blocks: Int)
            /// TFTP: the server could not read the file (a read error, a file shortened while sent).
            case readFailed(String)
            /// HTTP: the response's status code; `complete` is false when the connection was lost before its end.
            case http(code: Int, complete: Bool)
        }

        /// Relative to the root, as the client asked for it (escaped where it entered, for TFTP).
        public var path: String
        public var via: Via
        /// Bytes sent: the file's size for a whole TFTP transfer, the body's bytes for HTTP (0 when not known).
        public var bytes: Int
        /// From the request to the transfer's end, in seconds (monotonic clock).
        public var duration: Double
        public var status: Status
        /// The part of the file sent for an HTTP 206.
        public var range: ClosedRange<Int>?

        public init(path: String, via: Via, bytes: Int = 0, duration: Double = 0, status: Status,
                    range: ClosedRange<Int>? = nil) {
            self.path = path
            self.via = via
            self.bytes = bytes
            self.duration = duration
            self.status = status
            self.range = range
        }

        /// Whether the transfer did what the client asked (a client ending a TFTP transfer on purpose did; so did
        /// a "not found" for a file shim or GRUB only looks for).
        public var succeeded: Bool {
            switch status {
            case .sent, .endedByClient: true
            case .timedOut, .readFailed: false
            case .refused: isAbsentOptionalFile
            case .http(let code, let complete): complete && code < 400 || isAbsentOptionalFile
            }
        }

        /// "File not found" (TFTP error 1, HTTP 404) for a file a loader looks for and goes on without.
        public var isAbsentOptionalFile: Bool {
            switch status {
            case .refused(let code, _): code == 1 && LoaderFiles.isOptionalProbe(path)
            case .http(let code, _): code == 404 && LoaderFiles.isOptionalProbe(path)
            default: false
            }
        }

        /// The file's bytes that reached the client, when it got the file (or part of it): nil for a refusal, a
        /// failure, an error page, a HEAD.
        public var bytesDelivered: Int? {
            switch status {
            case .sent: bytes
            case .http(let code, _) where code < 300 && bytes > 0: bytes
            default: nil
            }
        }
    }

    /// What `netroot power` / `netroot boot` asked of a BMC.
    public enum PowerAction: Sendable, Equatable {
        case on
        case off
        case cycle
        case reset
        /// An orderly shutdown through the operating system (ACPI).
        case softOff
        /// The boot device set (`pxe`, `disk`, `bios`, `http`), for the next boot or every boot.
        case bootDevice(target: String, persistent: Bool, uefi: Bool)
        /// `netroot boot`: the next boot from the network, then on or cycle (recorded when it failed as a whole).
        case networkBoot(uefi: Bool)

        /// After it the node starts booting.
        public var startsBoot: Bool {
            switch self {
            case .on, .cycle, .reset, .networkBoot: true
            case .off, .softOff, .bootDevice: false
            }
        }
    }

    // MARK: derived

    public var service: Service {
        switch step {
        case .dhcpRequest, .dhcpReply, .unanswered: .dhcp
        case .file(let file): file.via == .tftp ? .tftp : .http
        case .power: .power
        }
    }

    public var outcome: Outcome {
        switch step {
        case .dhcpRequest: .ok
        case .dhcpReply(let reply): reply.type == .nak ? .failed : .ok
        case .unanswered(_, let reason): reason == .noReplyExpected ? .ok : .failed
        case .file(let file): file.succeeded ? .ok : .failed
        case .power(_, let failure): failure == nil ? .ok : .failed
        }
    }

    /// A PXE firmware DISCOVER (the first thing a powered-on node sends), or a power on / cycle / reset.
    public var startsBoot: Bool {
        switch step {
        case .dhcpRequest(let type, let client, _): type == .discover && client.isPXEFirmware
        case .power(let action, let failure): failure == nil && action.startsBoot
        case .dhcpReply, .unanswered, .file: false
        }
    }

    /// The reply, for a DHCP reply.
    public var reply: DHCPReply? {
        if case .dhcpReply(let reply) = step { return reply }
        return nil
    }

    /// The reply's type, for a DHCP reply.
    public var replyType: ReplyType? { reply?.type }

    /// The transfer, for a file.
    public var file: FileTransfer? {
        if case .file(let file) = step { return file }
        return nil
    }
}

/// Everything known of one client's most recent boot.
public struct ClientTimeline: Codable, Sendable, Equatable {
    /// The node's name from nodes.yaml, or the MAC (or IP) of a client the inventory does not know.
    public var client: String
    public var mac: String?
    public var address: String?
    /// The current boot's steps, oldest first (the earliest are dropped past a limit).
    public var events: [BootEvent]
    /// The appliance that granted the client's lease, when appliances share a lease database.
    public var grantedBy: String?

    public init(client: String, mac: String? = nil, address: String? = nil, events: [BootEvent] = []) {
        self.client = client
        self.mac = mac
        self.address = address
        self.events = events
    }

    /// The step reached last.
    public var last: BootEvent? { events.last }
    /// From the boot's first step to its last, in seconds.
    public var duration: Double { (events.last?.time ?? 0) - (events.first?.time ?? 0) }
}
