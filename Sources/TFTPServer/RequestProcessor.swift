import BootTimeline
import CSyscalls
import Foundation
import Inventory
import Logging
import NIOConcurrencyHelpers
import NIOCore
import TFTP

/// Port 69: parses requests, refuses what must be refused, and starts each transfer on a port of its own.
/// Runs on the first transfer thread, which polls the port with its transfers.
final class RequestProcessor: @unchecked Sendable {
    /// The port 69 socket, which refusals are sent from.
    private let listener: Int32

    private let files: NIOLockedValueBox<TFTPFiles>
    private let configuration: TFTPService.Configuration
    private let transfers: ActiveTransfers
    private let spares: SpareSockets
    private let loops: TransferLoops
    private let counters: TFTPCounters
    private let timeline: BootTimeline
    private let logger: Logger

    init(listener: Int32, files: NIOLockedValueBox<TFTPFiles>, configuration: TFTPService.Configuration,
         transfers: ActiveTransfers, spares: SpareSockets, loops: TransferLoops, counters: TFTPCounters,
         timeline: BootTimeline, logger: Logger) {
        self.listener = listener
        self.files = files
        self.configuration = configuration
        self.transfers = transfers
        self.spares = spares
        self.loops = loops
        self.counters = counters
        self.timeline = timeline
        self.logger = logger
    }

    /// One datagram that arrived on port 69 from `address`:`port` (network byte order).
    func handle(_ bytes: ArraySlice<UInt8>, address: UInt32, port: UInt16) {
        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_addr.s_addr = address
        socketAddress.sin_port = port
        let client = SocketAddress(socketAddress, host: "\(IPv4Address(UInt32(bigEndian: address)))")
        let packet: TFTPPacket
        do {
            packet = try TFTPPacket(parsing: bytes)
        } catch {
            counters.update { $0.malformed += 1 }
            // RFC 1350: an unknown opcode is an illegal operation; a packet too broken to read is dropped.
            if case .unknownOpcode = error { reply(to: client, .error(.illegalOperation, "illegal TFTP operation")) }
            else if error != .tooShort { reply(to: client, .error(.illegalOperation, "malformed request")) }
            return
        }
        switch packet {
        case let .readRequest(filename, mode, options):
            counters.update { $0.requests += 1 }
            startTransfer(client: client, filename: filename, mode: mode, options: options)
        case .writeRequest(let filename, _):
            counters.update { $0.refused["write", default: 0] += 1 }
            logger.notice("write request for \(filename) from \(client) refused: read-only server")
            reply(to: client, .error(.accessViolation, "read-only server"))
        case .error:
            return // an error sent to port 69 answers nothing of ours
        default:
            reply(to: client, .error(.illegalOperation, "expected a read request"))
        }
    }

    private func startTransfer(client: SocketAddress, filename: String, mode: String,
                               options: [(name: String, value: String)]) {
        guard mode == "octet" || mode == "netascii" else {
            reply(to: client, .error(.illegalOperation, "unsupported mode \(mode)"))
            return
        }
        // A retransmitted request while its transfer runs is not a second transfer.
        guard transfers.claim(client) else { return }
        let clientAddress = client.ipAddress.flatMap(IPv4Address.init)
        let snapshot = files.withLockedValue { $0 }
        let node = snapshot.nodeName(at: clientAddress)
        let content: any TFTPContent
        switch snapshot.open(filename, clientAddress: clientAddress) {
        case .success(let found):
            content = mode == "netascii" ? Self.netascii(found) : found
        case .failure(let refusal):
            transfers.release(client)
            counters.update { $0.refused[refusal.code == .fileNotFound ? "not found" : "access", default: 0] += 1 }
            logger.info("\(node ?? client.ipAddress ?? "?") asked for \(filename): \(refusal.message)")
            let event = BootEvent(time: Date().timeIntervalSince1970, service: .tftp, step: filename,
                                  detail: refusal.message, outcome: .failed)
            timeline.record(event, from: client.ipAddress ?? "?", node: node)
            reply(to: client, .error(refusal.code, refusal.message))
            return
        }
        let limits = TransferOptions.Limits(mtu: configuration.mtu)
        let negotiated: TransferOptions
        switch TransferOptions.negotiate(options, size: content.size, limits: limits) {
        case .success(let result): negotiated = result
        case .failure(let failure):
            transfers.release(client)
            reply(to: client, .error(.optionNegotiationRefused, failure.message))
            return
        }
        let sockets: TransferSockets
        do {
            sockets = try spares.take() ?? TransferSockets.open(address: configuration.address)
        } catch {
            transfers.release(client)
            logger.error("cannot open a port for a transfer to \(client): \(error)")
            return
        }
        do {
            try sockets.connect(to: client)
        } catch {
            sockets.close()
            transfers.release(client)
            logger.error("cannot start a transfer to \(client): \(error)")
            return
        }
        let session = TransferSession(client: client, sockets: sockets, node: node, filename: filename,
                                      content: content, options: negotiated, transfers: transfers, counters: counters,
                                      timeline: timeline, logger: logger)
        // The first reply leaves from here; the transfer's thread takes over from the client's answer on.
        session.start()
        loops.adopt(session)
        spares.refill()
    }

    private static func netascii(_ content: any TFTPContent) -> any TFTPContent {
        MemoryContent(Array(content.read(offset: 0, count: content.size))).netascii()
    }

    private func reply(to client: SocketAddress, _ packet: TFTPPacket) {
        guard case .v4(let v4) = client else { return }
        let bytes = packet.encoded
        _ = bytes.withUnsafeBytes { buffer in
            netroot_send_datagrams(listener, buffer.baseAddress, UInt(buffer.count), v4.address.sin_addr.s_addr,
                                   v4.address.sin_port, 0)
        }
    }
}
