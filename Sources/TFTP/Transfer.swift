/// One read transfer as a pure state machine: packets and clock ticks in, packets to send out.
///
/// Block numbers on the wire are 16 bits and roll over to 0 after 65535 (as tftp-hpa, atftp and pxelinux
/// expect); the machine counts blocks absolutely and compares ACKs within the window it has in flight, so a
/// 200 MB initrd at 512-byte blocks works. Only an ACK that moves the window forward causes sending; duplicate
/// or stale ACKs are ignored (no Sorcerer's Apprentice syndrome) and only a timeout resends.
public struct Transfer: Sendable {
    /// What the transport must do.
    public enum Action: Sendable, Equatable {
        /// DATA with `count` bytes of the file starting at `offset`.
        case sendData(block: UInt16, offset: Int, count: Int)
        case sendOptionAcknowledgment([TFTPOption])
        case sendError(TFTPErrorCode, String)
        case finish(Outcome)

    }

    /// How a transfer ended.
    public enum Outcome: Sendable, Equatable {
        case completed
        /// The client sent an ERROR (e.g. after a tsize probe, or 8 to refuse the OACK).
        case abortedByClient(code: UInt16, message: String)
        case timedOut
        /// The server could not read the file (a read error, a file shortened or rewritten while being sent).
        case failed(reason: String)
    }

    public let size: Int
    public let options: TransferOptions
    /// Blocks in the file, counting the final short (possibly empty) one.
    public let totalBlocks: Int
    public let retransmitAfter: Duration
    public let maximumRetries: Int

    /// Highest block the client acknowledged (0 before any; the OACK is acknowledged as block 0).
    public private(set) var acknowledged = 0
    /// Highest block sent.
    public private(set) var sent = 0
    private var awaitingOACKAcknowledgment: Bool
    private var retries = 0
    public private(set) var deadline: ContinuousClock.Instant
    public private(set) var isFinished = false

    public init(size: Int, options: TransferOptions, now: ContinuousClock.Instant,
                retransmitAfter: Duration = .seconds(1), maximumRetries: Int = 5) {
        self.size = size
        self.options = options
        totalBlocks = size / options.blockSize + 1
        self.retransmitAfter = options.timeoutSeconds.map { .seconds($0) } ?? retransmitAfter
        self.maximumRetries = maximumRetries
        awaitingOACKAcknowledgment = !options.acknowledged.isEmpty
        deadline = now
    }

    /// The first packets: the OACK when options were negotiated, else the first window of data.
    public mutating func start(now: ContinuousClock.Instant) -> [Action] {
        deadline = now + retransmitAfter
        if awaitingOACKAcknowledgment { return [.sendOptionAcknowledgment(options.acknowledged)] }
        return sendWindow(from: 1)
    }

    public mutating func receive(_ packet: TFTPPacket, now: ContinuousClock.Instant) -> [Action] {
        guard !isFinished else { return [] }
        switch packet {
        case .acknowledgment(let block):
            return acknowledge(block, now: now)
        case .error(let code, let message):
            isFinished = true
            return [.finish(.abortedByClient(code: code, message: message))]
        default:
            // RFC 1350 §7: anything else on a transfer's port is an illegal operation, and ends it.
            isFinished = true
            return [.sendError(.illegalOperation, "unexpected packet"), .finish(.abortedByClient(code: 4, message: ""))]
        }
    }

    /// Call when `deadline` passes: resends what is unacknowledged, or gives up.
    public mutating func tick(now: ContinuousClock.Instant) -> [Action] {
        guard !isFinished, now >= deadline else { return [] }
        retries += 1
        if retries > maximumRetries {
            isFinished = true
            return [.sendError(.notDefined, "timed out"), .finish(.timedOut)]
        }
        deadline = now + retransmitAfter
        if awaitingOACKAcknowledgment { return [.sendOptionAcknowledgment(options.acknowledged)] }
        return sendWindow(from: acknowledged + 1)
    }

    /// The file cannot be read: the client hears why, so it never takes what it has for the whole file.
    public mutating func abort(reason: String) -> [Action] {
        guard !isFinished else { return [] }
        isFinished = true
        return [.sendError(.notDefined, "cannot read the file"), .finish(.failed(reason: reason))]
    }

    private mutating func acknowledge(_ block: UInt16, now: ContinuousClock.Instant) -> [Action] {
        if awaitingOACKAcknowledgment {
            guard block == 0 else { return [] }
            awaitingOACKAcknowledgment = false
            retries = 0
            deadline = now + retransmitAfter
            return sendWindow(from: 1)
        }
        // Which in-flight block does this 16-bit number name? Only acknowledged+1 … sent can move us on.
        let distance = Int(block &- UInt16(truncatingIfNeeded: acknowledged))
        guard distance > 0, distance <= sent - acknowledged else { return [] }
        acknowledged += distance
        retries = 0
        deadline = now + retransmitAfter
        if acknowledged >= totalBlocks {
            isFinished = true
            return [.finish(.completed)]
        }
        // With a window, an ACK short of the last block sent means the rest was lost (RFC 7440 §4): resend from there.
        return sendWindow(from: acknowledged + 1)
    }

    private mutating func sendWindow(from first: Int) -> [Action] {
        let last = min(totalBlocks, first + options.windowSize - 1)
        guard first <= last else { return [] }
        var actions: [Action] = []
        actions.reserveCapacity(last - first + 1)
        for index in first...last {
            let offset = (index - 1) * options.blockSize
            actions.append(.sendData(block: UInt16(truncatingIfNeeded: index), offset: offset,
                                     count: max(0, min(options.blockSize, size - offset))))
        }
        sent = max(sent, last)
        return actions
    }
}
