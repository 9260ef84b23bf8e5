/// One step of a client's boot as netroot's servers saw it.
public struct BootEvent: Codable, Sendable, Equatable {
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
    public var service: Service
    /// What happened: `DISCOVER`, `OFFER 10.0.0.11`, `pxelinux.0`.
    public var step: String
    /// Who asked and what came of it: `PXE firmware, BIOS`, `46.2 KiB in 0.012 s`.
    public var detail: String
    public var outcome: Outcome
    /// A PXE firmware DISCOVER (the first thing a powered-on node sends), or a power on / cycle / reset.
    public var startsBoot: Bool

    public init(time: Double, service: Service, step: String, detail: String = "", outcome: Outcome = .ok,
                startsBoot: Bool = false) {
        self.time = time
        self.service = service
        self.step = step
        self.detail = detail
        self.outcome = outcome
        self.startsBoot = startsBoot
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
