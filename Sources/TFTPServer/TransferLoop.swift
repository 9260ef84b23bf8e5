import CSyscalls
import Foundation
import Synchronization

/// A thread that runs transfers: a readable socket is one ACK read with one recv and answered with one send, with
/// no event-loop pipeline, buffer allocation or address formatting per packet in between. Retransmit deadlines
/// are checked every `tickInterval`; TFTP timeouts are whole seconds. After each packet the thread polls for
/// `spin` before it sleeps, while clients answer fast enough for that to pay (`SpinPolicy`).
///
/// It waits with poll(2), not epoll: a socket in an epoll set runs epoll's callback for every datagram that
/// arrives, on the CPU that receives it (on a veth or a NIC queue, often the client's or another busy one), even
/// while this thread is awake and would find the datagram anyway. A poll that does not sleep registers nothing,
/// so an ACK that arrives while the thread is busy costs the receiving CPU no wake-up work at all.
final class TransferLoop: @unchecked Sendable {
    private static let tickInterval: Duration = .milliseconds(50)
    /// How long the thread keeps polling after a packet instead of sleeping.
    /// A lock-step client answers within tens of microseconds; waking a thread that slept (on a VM, a vCPU that
    /// halted) costs about as much again on every block. Measured here: lock-step 23 → 67 MB/s, 40 KiB requests
    /// 630 → 1,080 per second. The price is one busy CPU per transfer thread while packets keep coming.
    private static let spin: Duration = .microseconds(200)
    private let wake: Int32
    /// What other threads hand over: sessions started and not yet adopted, the request socket to poll (or to
    /// drop, once the server stops taking requests), and whether to end everything.
    private let handover = Mutex<Handover>(Handover())
    private let ended = Atomic<Bool>(false)
    // Only touched by the loop's thread: the sessions by their transfer socket, the request socket, and what is
    // polled (rebuilt when sessions come or go).
    private var sessions: [Int32: TransferSession] = [:]
    private var requests: (descriptor: Int32, processor: RequestProcessor)?
    private var watched: [pollfd] = []
    private var targets: [Target] = []
    private var watchedIsStale = true

    private struct Handover {
        var incoming: [TransferSession] = []
        var requests: (descriptor: Int32, processor: RequestProcessor)?
        var closeRequests = false
        var stopping = false
    }

    /// What a polled descriptor belongs to.
    private enum Target {
        case wake
        case requests
        case transfer(TransferSession)
    }

    init() throws {
        wake = netroot_eventfd()
        guard wake >= 0 else {
            throw TFTPServerError(call: "eventfd for transfers")
        }
        Thread.detachNewThread { [self] in run() }
    }

    /// Hands a started session over to the loop's thread.
    func adopt(_ session: TransferSession) {
        handover.withLock { $0.incoming.append(session) }
        signal()
    }

    /// Polls the request socket too: a request that follows a transfer then finds the thread still awake.
    func serveRequests(on descriptor: Int32, with processor: RequestProcessor) {
        handover.withLock { $0.requests = (descriptor, processor) }
        signal()
    }

    /// Stops polling the request socket and closes it; transfers go on.
    func closeRequests() {
        handover.withLock { $0.closeRequests = true }
        signal()
    }

    /// Ends every transfer (each client hears TFTP error 0) and the thread; returns once it is done.
    func endAll() {
        handover.withLock { $0.stopping = true }
        signal()
        while !ended.load(ordering: .acquiring) { usleep(1000) }
    }

    private func signal() {
        var one: UInt64 = 1
        _ = write(wake, &one, 8)
    }

    private func run() {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 65_536, alignment: 8)
        defer {
            buffer.deallocate()
            close(wake)
            ended.store(true, ordering: .releasing)
        }
        var nextTick = ContinuousClock.now + Self.tickInterval
        var spinUntil = ContinuousClock.now
        var policy = SpinPolicy(window: Self.spin)
        while true {
            if watchedIsStale { rebuildWatched() }
            let polling = ContinuousClock.now < spinUntil
            let count = poll(&watched, nfds_t(watched.count), polling ? 0 : 50)
            if count == 0, polling, ContinuousClock.now >= spinUntil { policy.windowPassed() }
            if count > 0 {
                policy.packetArrived(at: ContinuousClock.now)
                // A session that finished earlier in this pass is skipped; it leaves the list before the next poll.
                for index in watched.indices where watched[index].revents != 0 {
                    switch targets[index] {
                    case .wake:
                        if adoptIncoming() { return }
                    case .requests:
                        readRequests(using: buffer)
                    case .transfer(let session):
                        guard !session.isFinished else { continue }
                        session.receive(using: buffer)
                        if session.isFinished { forget(session) }
                    }
                }
                let handled = ContinuousClock.now
                spinUntil = policy.spinsAfterPacket(handledAt: handled) ? handled + Self.spin : handled
            }
            let now = ContinuousClock.now
            if now >= nextTick {
                nextTick = now + Self.tickInterval
                requests?.processor.flushLog()
                answerStrangers(using: buffer)
                for session in sessions.values {
                    session.tick(now: now)
                    if session.isFinished { forget(session) }
                }
            }
        }
    }

    private func rebuildWatched() {
        watched.removeAll(keepingCapacity: true)
        targets.removeAll(keepingCapacity: true)
        watched.append(pollfd(fd: wake, events: Int16(POLLIN), revents: 0))
        targets.append(.wake)
        if let requests {
            watched.append(pollfd(fd: requests.descriptor, events: Int16(POLLIN), revents: 0))
            targets.append(.requests)
        }
        for (descriptor, session) in sessions {
            watched.append(pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0))
            targets.append(.transfer(session))
        }
        watchedIsStale = false
    }

    /// Packets from anyone but a transfer's client are rare: their sockets are looked at on each tick, not
    /// polled with the transfers (their answer, error 5, is in no hurry).
    private func answerStrangers(using buffer: UnsafeMutableRawBufferPointer) {
        guard !sessions.isEmpty else { return }
        let listening = Array(sessions.values)
        var strangers = listening.map { pollfd(fd: $0.sockets.strangers, events: Int16(POLLIN), revents: 0) }
        guard poll(&strangers, nfds_t(strangers.count), 0) > 0 else { return }
        for (index, session) in listening.enumerated() where strangers[index].revents != 0 {
            session.answerStranger(using: buffer)
        }
    }

    /// Registers what the request handler handed over; true when the loop is to end.
    private func adoptIncoming() -> Bool {
        var drained: UInt64 = 0
        _ = read(wake, &drained, 8)
        let (incoming, newRequests, closeRequests, stopping) = handover.withLock { state in
            defer {
                state.incoming.removeAll()
                state.requests = nil
                state.closeRequests = false
            }
            return (state.incoming, state.requests, state.closeRequests, state.stopping)
        }
        if let newRequests { requests = newRequests }
        if closeRequests || stopping, let open = requests {
            close(open.descriptor)
            requests = nil
        }
        for session in incoming where !session.isFinished { sessions[session.sockets.transfer] = session }
        watchedIsStale = true
        guard stopping else { return false }
        for session in sessions.values { session.end() }
        sessions.removeAll()
        return true
    }

    /// Reads what waits on port 69, a bounded number at a time so transfers are not held up.
    private func readRequests(using buffer: UnsafeMutableRawBufferPointer) {
        guard let requests else { return }
        for _ in 0..<16 {
            var address: UInt32 = 0, port: UInt16 = 0
            let count = netroot_receive_from(requests.descriptor, buffer.baseAddress, UInt(buffer.count), &address, &port)
            guard count >= 0 else { return }
            guard address != 0 else { continue }
            requests.processor.handle(ArraySlice(UnsafeRawBufferPointer(rebasing: buffer[0..<count])), address: address,
                                      port: port)
        }
    }

    private func forget(_ session: TransferSession) {
        sessions[session.sockets.transfer] = nil
        watchedIsStale = true
    }
}
