import BootTimeline
import Foundation
import Inventory
import Logging
import NIOCore
import TFTP

/// One transfer on its own ephemeral port: feeds packets and timer ticks to the pure `Transfer`, sends what it says.
final class TransferHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let client: SocketAddress
    /// The inventory's name for the client's address, if it has one.
    private let node: String?
    private let filename: String
    private let content: any TFTPContent
    private var transfer: Transfer
    private let transfers: ActiveTransfers
    private let counters: TFTPCounters
    private let timeline: BootTimeline
    private let logger: Logger
    private var timer: Scheduled<Void>?
    private var timerDeadline: ContinuousClock.Instant?
    private let started = ContinuousClock.now
    private var writer: DatagramWriter
    private let port: TransferPort

    /// `port` is already connected to `client`: only the client's packets arrive here.
    init(client: SocketAddress, port: TransferPort, node: String?, filename: String, content: any TFTPContent,
         options: TransferOptions, transfers: ActiveTransfers, counters: TFTPCounters, timeline: BootTimeline,
         logger: Logger) {
        writer = DatagramWriter(descriptor: port.descriptor, clientAddress: 0, clientPort: 0,
                                capacity: options.windowSize * (4 + options.blockSize))
        self.port = port
        self.client = client
        self.node = node
        self.filename = filename
        self.content = content
        transfer = Transfer(size: content.size, options: options, now: .now)
        self.transfers = transfers
        self.counters = counters
        self.timeline = timeline
        self.logger = logger
    }

    /// On a pre-bound spare socket the channel is already active when the handler arrives.
    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { perform(transfer.start(now: .now), context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        perform(transfer.start(now: .now), context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard let packet = try? TFTPPacket(parsing: ArraySlice(envelope.data.readableBytesView)) else {
            counters.update { $0.malformed += 1 }
            return
        }
        perform(transfer.receive(packet, now: .now), context: context)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ServerStopping else { return context.fireUserInboundEventTriggered(event) }
        // The client hears why instead of retransmitting into a closed port until it gives up.
        writer.queue(TFTPPacket.error(.notDefined, "server shutting down").encoded)
        writer.flush()
        timer?.cancel()
        logger.notice("transfer of \(filename) to \(node ?? client.ipAddress ?? "?") ended: server shutting down")
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        port.strangers.close(promise: nil)
        transfers.release(client)
    }

    private func perform(_ actions: [Transfer.Action], context: ChannelHandlerContext) {
        for action in actions {
            switch action {
            case let .sendData(block, offset, count):
                writer.queueData(block: block, bytes: content.read(offset: offset, count: count))
            case .sendOptionAcknowledgment(let strings):
                var options: [(name: String, value: String)] = []
                for index in stride(from: 0, to: strings.count - 1, by: 2) { options.append((strings[index], strings[index + 1])) }
                writer.queue(TFTPPacket.optionAcknowledgment(options).encoded)
            case let .sendError(code, message):
                writer.queue(TFTPPacket.error(code, message).encoded)
            case .finish(let outcome):
                writer.flush()
                finish(outcome, context: context)
                return
            }
        }
        writer.flush()
        scheduleTick(context: context)
    }

    /// Keeps one timer armed no later than the transfer's deadline. Progress only moves the deadline later, so
    /// the armed timer usually stays: when it fires early it re-arms, instead of a cancel and a new timer per packet.
    private func scheduleTick(context: ChannelHandlerContext) {
        let deadline = transfer.deadline
        if let armed = timerDeadline, armed <= deadline { return }
        timer?.cancel()
        timerDeadline = deadline
        let delay = deadline - .now
        let nanoseconds = max(0, delay.components.seconds * 1_000_000_000 + delay.components.attoseconds / 1_000_000_000)
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: .nanoseconds(nanoseconds)) {
            let (handler, context) = loopBound.value
            handler.timerDeadline = nil
            let actions = handler.transfer.tick(now: .now)
            if !actions.isEmpty {
                handler.logger.debug("\(handler.filename) to \(handler.client.ipAddress ?? "?"): timeout, resending \(actions.count)")
            }
            handler.perform(actions, context: context)
        }
    }

    private func finish(_ outcome: Transfer.Outcome, context: ChannelHandlerContext) {
        timer?.cancel()
        let elapsed = ContinuousClock.now - started
        let who = node ?? client.ipAddress ?? "?"
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        let took = "\(TimelineReport.size(content.size)) in \(TimelineReport.seconds(seconds))"
        let detail: String
        switch outcome {
        case .completed:
            counters.update { $0.completed += 1; $0.bytesSent += self.content.size }
            logger.info("sent \(filename) to \(who): \(content.size) bytes in \(elapsed)")
            detail = took
        case let .abortedByClient(code, message):
            counters.update { $0.aborted += 1 }
            logger.info("\(who) ended \(filename) with error \(code) \(message)")
            detail = "client ended it: error \(code) \(message)"
        case .timedOut:
            counters.update { $0.timedOut += 1 }
            logger.warning("transfer of \(filename) to \(who) timed out after \(transfer.acknowledged) blocks")
            detail = "timed out after \(transfer.acknowledged) blocks"
        }
        // A client may end a transfer on purpose (it had what it needed); only a timeout is the transfer failing.
        let failed = if case .timedOut = outcome { true } else { false }
        timeline.record(BootEvent(time: Date().timeIntervalSince1970, service: .tftp, step: filename, detail: detail,
                                  outcome: failed ? .failed : .ok),
                        from: client.ipAddress ?? "?", node: node)
        context.close(promise: nil)
    }
}
