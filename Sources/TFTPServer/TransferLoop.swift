import CSyscalls
import Foundation
import Synchronization

/// A thread with an epoll of its own that runs transfers: a readable socket is one ACK read with one recv and
/// answered with one send, with no event-loop pipeline, buffer allocation or address formatting per packet in
/// between. Retransmit deadlines are checked every `tickInterval`; TFTP timeouts are whole seconds. After each
/// packet the thread polls for `spin` before it sleeps.
final class TransferLoop: @unchecked Sendable {
    /// Why the loop could not be set up.
    struct SetupError: Error, CustomStringConvertible {
        let description: String
    }

    private static let tickInterval: Duration = .milliseconds(50)
    /// How long the thread keeps polling after a packet instead of sleeping in epoll_wait.
    /// A lock-step client answers within tens of microseconds; waking a thread that slept (on a VM, a vCPU that
    /// halted) costs about as much again on every block. Measured here: lock-step 23 → 67 MB/s, 40 KiB requests
    /// 630 → 1,080 per second. The price is one busy CPU per transfer thread while packets keep coming.
    private static let spin: Duration = .microseconds(200)
    private let epoll: Int32
    private let wake: Int32
    /// What other threads hand over: sessions started and not yet adopted, the request socket to poll (or to
    /// drop, once the server stops taking requests), and whether to end everything.
    private let handover = Mutex<Handover>(Handover())
    private let ended = Atomic<Bool>(false)
    // Only touched by the loop's thread: sessions by both their descriptors, and the request socket.
    private var sessions: [Int32: TransferSession] = [:]
    private var requests: (descriptor: Int32, processor: RequestProcessor)?

    private struct Handover {
        var incoming: [TransferSession] = []
        var requests: (descriptor: Int32, processor: RequestProcessor)?
        var closeRequests = false
        var stopping = false
    }

    init() throws {
        epoll = netroot_epoll_create()
        wake = netroot_eventfd()
        guard epoll >= 0, wake >= 0, netroot_epoll_add(epoll, wake, UInt64(wake)) == 0 else {
            let reason = String(cString: strerror(errno))
            if epoll >= 0 { close(epoll) }
            if wake >= 0 { close(wake) }
            throw SetupError(description: "epoll for transfers: \(reason)")
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
        var tokens = [UInt64](repeating: 0, count: 256)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 65_536, alignment: 8)
        defer {
            buffer.deallocate()
            close(epoll)
            close(wake)
            ended.store(true, ordering: .releasing)
        }
        var nextTick = ContinuousClock.now + Self.tickInterval
        var spinUntil = ContinuousClock.now
        while true {
            let polling = ContinuousClock.now < spinUntil
            let count = netroot_epoll_wait(epoll, &tokens, Int32(tokens.count), polling ? 0 : 50)
            if count > 0 { spinUntil = ContinuousClock.now + Self.spin }
            for index in 0..<max(0, Int(count)) {
                let descriptor = Int32(truncatingIfNeeded: tokens[index])
                if descriptor == wake {
                    if adoptIncoming() { return }
                    continue
                }
                if let requests, descriptor == requests.descriptor {
                    readRequests(using: buffer)
                    continue
                }
                guard let session = sessions[descriptor] else { continue } // ended earlier in this batch
                if descriptor == session.sockets.transfer {
                    session.receive(using: buffer)
                } else {
                    session.answerStranger(using: buffer)
                }
                if session.isFinished { forget(session) }
            }
            let now = ContinuousClock.now
            if now >= nextTick {
                nextTick = now + Self.tickInterval
                for (descriptor, session) in sessions where descriptor == session.sockets.transfer {
                    session.tick(now: now)
                    if session.isFinished { forget(session) }
                }
            }
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
        if let newRequests, netroot_epoll_add(epoll, newRequests.descriptor, UInt64(newRequests.descriptor)) == 0 {
            requests = newRequests
        }
        if closeRequests || stopping, let open = requests {
            close(open.descriptor)
            requests = nil
        }
        for session in incoming where !session.isFinished {
            sessions[session.sockets.transfer] = session
            sessions[session.sockets.strangers] = session
            _ = netroot_epoll_add(epoll, session.sockets.transfer, UInt64(session.sockets.transfer))
            _ = netroot_epoll_add(epoll, session.sockets.strangers, UInt64(session.sockets.strangers))
        }
        guard stopping else { return false }
        for (descriptor, session) in sessions where descriptor == session.sockets.transfer { session.end() }
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
        sessions[session.sockets.strangers] = nil
    }
}
