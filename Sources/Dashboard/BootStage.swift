import BootTimeline

/// How far a node's current boot got, as the dashboard colours its tile.
public enum BootStage: String, Codable, Sendable, CaseIterable {
    /// No step seen since the server started.
    case unseen = "not seen"
    case poweredOn = "powered on"
    case dhcp = "DHCP"
    case bootLoader = "boot loader"
    case kernel
    case initrd
    /// The initramfs asked DHCP again and got its address: the node is past netroot's part.
    case booted
    case failed
    /// No step for `BootStage.silentAfter` seconds, short of booted.
    case silent

    /// The tile's colour: the page takes names and colours from `/api/state`, never a copy of its own.
    public var colour: String {
        switch self {
        case .unseen: "#c9ced6"
        case .poweredOn: "#8b5cf6"
        case .dhcp: "#3b82f6"
        case .bootLoader: "#14b8a6"
        case .kernel: "#eab308"
        case .initrd: "#f97316"
        case .booted: "#22c55e"
        case .failed: "#ef4444"
        case .silent: "#4b5563"
        }
    }

    /// After this long without a step, a boot that has not reached "booted" is shown as silent.
    public static let silentAfter: Double = 300

    /// Where the progress stages rank, so a late boot-loader file (ldlinux.c32 after the kernel?) never moves a
    /// tile backwards.
    private var rank: Int {
        switch self {
        case .unseen, .failed, .silent: 0
        case .poweredOn: 1
        case .dhcp: 2
        case .bootLoader: 3
        case .kernel: 4
        case .initrd: 5
        case .booted: 6
        }
    }

    /// The stage and since when the node has been in it. Pure: `kernel`/`initrd` are the node's files from
    /// nodes.yaml (nil for a client it does not know: names like `vmlinuz` and `initrd.gz` are recognised).
    public static func read(_ events: [BootEvent], kernel: String? = nil, initrd: String? = nil,
                            now: Double) -> (stage: BootStage, since: Double?) {
        var stage = BootStage.unseen
        var since: Double?
        var fetchedKernelOrInitrd = false
        func move(to next: BootStage, at time: Double) {
            guard next.rank > stage.rank else { return }
            stage = next
            since = time
        }
        for event in events where event.outcome == .ok {
            switch event.service {
            case .power:
                if event.startsBoot { move(to: .poweredOn, at: event.time) }
            case .dhcp:
                if fetchedKernelOrInitrd, event.replyType == .ack {
                    move(to: .booted, at: event.time)
                } else {
                    move(to: .dhcp, at: event.time)
                }
            case .tftp, .http:
                guard let path = event.file?.path else { continue }
                let file = fileStage(path, kernel: kernel, initrd: initrd)
                if file == .kernel || file == .initrd { fetchedKernelOrInitrd = true }
                move(to: file, at: event.time)
            }
        }
        guard let last = events.last else { return (.unseen, nil) }
        if last.outcome == .failed { return (.failed, last.time) }
        if stage != .booted, now - last.time > silentAfter { return (.silent, last.time) }
        return (stage, since)
    }

    /// What a fetched file is: the node's kernel or initrd, else a boot loader's file (pxelinux.0, ldlinux.c32,
    /// its config, an iPXE script).
    public static func fileStage(_ path: String, kernel: String?, initrd: String?) -> BootStage {
        if path == kernel { return .kernel }
        if path == initrd { return .initrd }
        let name = path.split(separator: "/").last.map(String.init)?.lowercased() ?? path.lowercased()
        if kernel == nil, name.hasPrefix("vmlinuz") || name.hasPrefix("bzimage") || name == "linux"
            || name == "kernel" { return .kernel }
        if initrd == nil, name.hasPrefix("initrd") || name.hasPrefix("initramfs") { return .initrd }
        return .bootLoader
    }
}
