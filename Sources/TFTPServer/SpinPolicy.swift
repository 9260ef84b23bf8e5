/// Whether the transfer thread polls on after a packet (spins) or sleeps until the next one (pure; the clock is
/// the caller's). Spinning saves a thread wake-up per block when the client answers within microseconds (a
/// lock-step client on a fast host: 23 → 67 MB/s here), and wastes the whole window when it does not: GRUB on an
/// emulated or loaded CPU answers each 1 KiB block after 85–270 µs, and spinning then cost 210 µs of CPU per block
/// (dnsmasq: 19), taken from that very client on a small host.
///
/// The client's answer time is measured only inside spin windows, where no wake-up latency inflates it. While
/// sleeping, every `probeEvery`-th packet spins once to measure again, so a fast client is noticed soon.
struct SpinPolicy {
    /// The spin window after a packet.
    let window: Duration
    /// Spin while the average answer time is below this.
    var threshold: Duration = .microseconds(40)
    /// While sleeping, one packet in this many spins to measure the client again.
    var probeEvery = 32

    /// The average answer time measured in spin windows (a window that passed without a packet counts whole).
    private(set) var averageWait: Duration = .zero
    private(set) var spinning = true
    private var windowStart: ContinuousClock.Instant?
    private var packetsSinceProbe = 0

    init(window: Duration) { self.window = window }

    /// A packet arrived (poll said so) at `time`.
    mutating func packetArrived(at time: ContinuousClock.Instant) {
        guard let start = windowStart else { return }
        windowStart = nil
        measured(time - start)
    }

    /// A spin window ended without a packet.
    mutating func windowPassed() {
        guard windowStart != nil else { return }
        windowStart = nil
        measured(window)
    }

    /// Packets were handled at `time`: whether to spin now.
    mutating func spinsAfterPacket(handledAt time: ContinuousClock.Instant) -> Bool {
        packetsSinceProbe += 1
        guard spinning || packetsSinceProbe >= probeEvery else { return false }
        packetsSinceProbe = 0
        windowStart = time
        return true
    }

    private mutating func measured(_ wait: Duration) {
        // While spinning, an average over about four answers; a probe while sleeping decides alone (the average
        // is of an earlier client, or of this one before it sped up).
        averageWait = spinning ? (averageWait * 3 + wait) / 4 : wait
        spinning = averageWait < threshold
    }
}
