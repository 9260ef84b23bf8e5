import BootTimeline
import CSyscalls
import Foundation
import Logging
import NIOCore
import Support
import TFTP
import Values

/// One transfer: feeds its client's packets and clock ticks to the pure `Transfer` and writes what it says.
/// The request handler starts it (so the first reply leaves at once), then hands it to a `TransferLoop`, the
/// only thread that touches it from then on.
final class TransferSession: @unchecked Sendable {
    let sockets: TransferSockets
    private let client: TFTPClient
    /// The inventory's name for the client's address, if it has one.
    private let node: String?
    /// The requested name as shown (escaped where the request arrived).
    private let filename: String
    private let content: any TFTPContent
    private var transfer: Transfer
    private let writer: DatagramWriter
    private let transfers: ActiveTransfers
    private let counters: TFTPCounters
    private let timeline: BootTimeline
    private let logger: Logger
    /// Failed transfers and strangers come by the thousand in a flood: logged through the service's throttle.
    private let throttle: LogThrottle<String>
    private let started = ContinuousClock.now
    /// Set once the sockets are closed: the loop then forgets the session.
    private(set) var isFinished = false

    /// `sockets` are already connected to `client`: only the client's packets reach the transfer's socket.
    init(client: TFTPClient, sockets: TransferSockets, node: String?, filename: String, content: any TFTPContent,
         options: TransferOptions, transfers: ActiveTransfers, counters: TFTPCounters, timeline: BootTimeline,
         logger: Logger, throttle: LogThrottle<String>) {
        self.sockets = sockets
        self.client = client
        self.node = node
        self.filename = filename
        self.content = content
        transfer = Transfer(size: content.size, options: options, now: .now)
        writer = DatagramWriter(descriptor: sockets.transfer, capacity: options.windowSize * (4 + options.blockSize))
        self.transfers = transfers
        self.counters = counters
        self.timeline = timeline
        self.logger = logger
        self.throttle = throttle
    }

    /// Sends the OACK, or the first window of data.
    func start() { perform(transfer.start(now: .now)) }

    /// The transfer's socket is readable: one packet from the client (or the ICMP error that says it is gone).
    func receive(using buffer: UnsafeMutableRawBufferPointer) {
        let count = recv(sockets.transfer, buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT))
        guard count >= 0 else {
            // The client's port is closed: it went away without a word, so retransmitting is pointless.
            if errno == ECONNREFUSED { finish(.abortedByClient(code: 0, message: "its port is closed")) }
            return
        }
        guard let packet = try? TFTPPacket(parsing: ArraySlice(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))) else {
            counters.update { $0.malformed += 1 }
            return
        }
        perform(transfer.receive(packet, now: .now))
    }

    /// Someone else wrote to the transfer's port: error 5 (RFC 1350 §4); the transfer does not notice.
    func answerStranger(using buffer: UnsafeMutableRawBufferPointer) {
        var address: UInt32 = 0, port: UInt16 = 0
        let count = netroot_receive_from(sockets.strangers, buffer.baseAddress, UInt(buffer.count), &address, &port)
        guard count >= 0, address != 0 else { return }
        counters.update { $0.unknownTransferID += 1 }
        // An error is never answered (RFC 1350 §7): two servers would answer each other for ever.
        if count >= 2, buffer[0] == 0, buffer[1] == 5 { return }
        let stranger = TFTPClient(networkAddress: address, networkPort: port)
        throttle.log(.info, "packet from \(stranger) to the transfer of \(filename) to \(client) refused: unknown transfer ID",
                     key: "tftp refused: unknown transfer ID", to: logger)
        let reply = TFTPPacket.error(.unknownTransferID, "unknown transfer ID").encoded
        _ = reply.withUnsafeBytes { bytes in
            netroot_send_datagrams(sockets.strangers, bytes.baseAddress, UInt(bytes.count), address, port, 0)
        }
    }

    /// Resends what is unacknowledged once the deadline has passed, or gives up.
    func tick(now: ContinuousClock.Instant) {
        guard now >= transfer.deadline else { return }
        let actions = transfer.tick(now: now)
        if !actions.isEmpty {
            throttle.log(.debug, "\(filename) to \("\(client.address)"): timeout, resending \(actions.count)",
                         key: "tftp transfer: resending after a timeout", to: logger)
        }
        perform(actions)
    }

    /// The server is stopping: the client hears why instead of retransmitting into a closed port.
    func end() {
        guard !isFinished else { return }
        writer.queue(TFTPPacket.error(.notDefined, "server shutting down").encoded)
        writer.flush()
        throttle.log(.notice, "transfer of \(filename) to \(node ?? "\(client.address)") ended: server shutting down",
                     key: "tftp transfer ended: server shutting down", to: logger)
        close()
    }

    private func perform(_ actions: [Transfer.Action]) {
        for action in actions {
            switch action {
            case let .sendData(block, offset, count):
                do {
                    try writer.queueData(block: block, count: count) { destination in
                        try content.read(into: destination, from: offset)
                    }
                } catch {
                    // What was queued before this block is whole and may leave; this block and the rest may not.
                    perform(transfer.abort(reason: "\(error)"))
                    return
                }
            case .sendOptionAcknowledgment(let options):
                writer.queue(TFTPPacket.optionAcknowledgment(options).encoded)
            case let .sendError(code, message):
                writer.queue(TFTPPacket.error(code, message).encoded)
            case .finish(let outcome):
                writer.flush()
                finish(outcome)
                return
            }
        }
        writer.flush()
    }

    private func finish(_ outcome: Transfer.Outcome) {
        guard !isFinished else { return }
        close()
        let elapsed = ContinuousClock.now - started
        let who = node ?? "\(client.address)"
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        let status: BootEvent.FileTransfer.Status
        switch outcome {
        case .completed:
            counters.update { $0.completed += 1; $0.bytesSent += self.content.size }
            logger.info("sent \(filename) to \(who): \(content.size) bytes in \(elapsed)")
            status = .sent
        case let .abortedByClient(code, sent):
            counters.update { $0.aborted += 1 }
            // The client's error text, escaped where it enters.
            let message = UntrustedText.escape(sent)
            throttle.log(.info, "\(who) ended \(filename) with error \(code) \(message)",
                         key: "tftp transfer ended by the client", to: logger)
            status = .endedByClient(code: code, message: message)
        case .timedOut:
            counters.update { $0.timedOut += 1 }
            throttle.log(.warning, "transfer of \(filename) to \(who) timed out after \(transfer.acknowledged) blocks",
                         key: "tftp transfer timed out", to: logger)
            status = .timedOut(blocks: transfer.acknowledged)
        case .failed(let reason):
            counters.update { $0.failed += 1 }
            throttle.log(.error, "transfer of \(filename) to \(who) failed after \(transfer.acknowledged) blocks: \(reason)",
                         key: "tftp transfer failed", to: logger)
            status = .readFailed(reason)
        }
        let sent = if case .completed = outcome { content.size } else { 0 }
        timeline.record(BootEvent(time: Date().timeIntervalSince1970, .file(.init(
                            path: filename, via: .tftp, bytes: sent, duration: seconds, status: status))),
                        from: "\(client.address)", node: node)
    }

    private func close() {
        isFinished = true
        sockets.close()
        transfers.release(client)
    }
}
