import BootTimeline
import CSyscalls
import Foundation
import Inventory
import Logging
import NIOConcurrencyHelpers
import NIOCore
import Support
import Synchronization
import TFTP
import Values

/// Port 69: parses requests, refuses what must be refused, and starts each transfer on a port of its own.
/// Runs on the first transfer thread, which polls the port with its transfers.
final class RequestProcessor: @unchecked Sendable {
    /// The port 69 socket, which refusals are sent from.
    private let listener: Int32

    private let files: ServingFiles
    private let configuration: TFTPService.Configuration
    private let transfers: ActiveTransfers
    private let spares: SpareSockets
    private let loops: TransferLoops
    private let counters: TFTPCounters
    private let timeline: BootTimeline
    private let logger: Logger
    /// Refusals and failures come by the thousand in a flood: each kind is logged through the service's throttle.
    let throttle: LogThrottle<String>

    init(listener: Int32, files: ServingFiles, configuration: TFTPService.Configuration,
         transfers: ActiveTransfers, spares: SpareSockets, loops: TransferLoops, counters: TFTPCounters,
         timeline: BootTimeline, logger: Logger, throttle: LogThrottle<String> = TFTPService.makeLogThrottle()) {
        self.listener = listener
        self.files = files
        self.configuration = configuration
        self.transfers = transfers
        self.spares = spares
        self.loops = loops
        self.counters = counters
        self.timeline = timeline
        self.logger = logger
        self.throttle = throttle
    }

    /// Writes the "N more suppressed" lines that are due (the port 69 thread calls it on each tick).
    func flushLog() { throttle.flush(to: logger) }

    /// One datagram that arrived on port 69 from `address`:`port` (network byte order).
    func handle(_ bytes: ArraySlice<UInt8>, address: UInt32, port: UInt16) {
        let client = TFTPClient(networkAddress: address, networkPort: port)
        let packet: TFTPPacket
        do {
            packet = try TFTPPacket(parsing: bytes)
        } catch {
            counters.update { $0.malformed += 1 }
            throttle.log(.info, "TFTP packet from \(client) refused: \(error)", key: "tftp refused: malformed request",
                         to: logger)
            // RFC 1350: an unknown opcode is an illegal operation; a packet too broken to read is dropped.
            if case .unknownOpcode = error { reply(to: client, .error(.illegalOperation, "illegal TFTP operation")) }
            else if error != .tooShort { reply(to: client, .error(.illegalOperation, "malformed request")) }
            return
        }
        switch packet {
        case let .readRequest(filename, mode, options):
            counters.update { $0.requests += 1 }
            startTransfer(client: client, filename: filename, shown: Self.shownFilename(bytes), mode: mode,
                          options: options)
        case .writeRequest:
            counters.update { $0.refused["write", default: 0] += 1 }
            throttle.log(.notice, "write request for \(Self.shownFilename(bytes)) from \(client) refused: read-only server",
                         key: "tftp refused: write request", to: logger)
            reply(to: client, .error(.accessViolation, "read-only server"))
        case .error:
            return // an error sent to port 69 answers nothing of ours
        default:
            throttle.log(.info, "TFTP packet from \(client) refused: expected a read request",
                         key: "tftp refused: not a request", to: logger)
            reply(to: client, .error(.illegalOperation, "expected a read request"))
        }
    }

    /// The client's file name as log lines and the boot timeline show it: the request's bytes up to the first NUL
    /// after the opcode, escaped (`UntrustedText`: control characters and invalid UTF-8 as `\xNN`, capped), and
    /// relative to the root as the file is served: GRUB asks `/grub/grub.cfg` and `/alpha/vmlinuz`, pxelinux
    /// `alpha/vmlinuz`, and the timeline and the doctor compare them with nodes.yaml's paths.
    static func shownFilename(_ request: ArraySlice<UInt8>) -> String {
        let name = request.dropFirst(2).prefix { $0 != 0 }
        let relative = name.drop { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "\\") }
        return UntrustedText.escape(bytes: relative.isEmpty ? name : relative)
    }

    /// `filename` opens the file; `shown`, its escaped form, is what log lines and the timeline say.
    private func startTransfer(client: TFTPClient, filename: String, shown: String, mode: String,
                               options: [TFTPOption]) {
        guard mode == "octet" || mode == "netascii" else {
            throttle.log(.info, "TFTP request for \(shown) from \(client) refused: unsupported mode \(UntrustedText.escape(mode))",
                         key: "tftp refused: unsupported mode", to: logger)
            reply(to: client, .error(.illegalOperation, "unsupported mode \(mode)"))
            return
        }
        switch transfers.claim(client) {
        case .claimed: break
        case .duplicate: return // a retransmitted request while its transfer runs is not a second transfer
        case .overClientLimit:
            refuseBusy(client, filename: shown, why: "\(transfers.limits.perClient) transfers already run to this address")
            return
        case .overTotalLimit:
            refuseBusy(client, filename: shown, why: "\(transfers.limits.total) transfers already run")
            return
        }
        let clientAddress = client.address
        let snapshot = files.current
        let node = snapshot.nodeName(at: clientAddress)
        let content: any TFTPContent
        switch snapshot.open(filename, clientAddress: clientAddress) {
        case .success(let found):
            content = found
        case .failure(let refusal):
            transfers.release(client)
            counters.update { $0.refused[refusal.code == .fileNotFound ? "not found" : "access", default: 0] += 1 }
            // shim and GRUB look for files on every boot that nobody serves: their absence is normal, not news.
            let expected = refusal.code == .fileNotFound && LoaderFiles.isOptionalProbe(shown)
            throttle.log(expected ? .debug : .info, "\(node ?? "\(client.address)") asked for \(shown): \(refusal.message)",
                         key: "tftp refused: \(refusal.message)", to: logger)
            recordFailure(shown, .refused(code: refusal.code.rawValue, message: refusal.message), client: client,
                          node: node)
            reply(to: client, .error(refusal.code, refusal.message))
            return
        }
        let request = Request(client: client, node: node, filename: shown, options: options)
        guard mode == "netascii" else {
            begin(request, content: content)
            return
        }
        // Netascii needs a pass over the whole file to learn its converted size: a large file is converted on
        // the preparation thread, never on this one, which serves port 69 and running transfers.
        guard content.size > Self.inlineNetasciiLimit else {
            convertThenBegin(request, content: content)
            return
        }
        guard preparing.add(1, ordering: .relaxed).newValue <= Self.maximumPreparing else {
            preparing.subtract(1, ordering: .relaxed)
            transfers.release(client)
            refuseBusy(client, filename: shown, why: "\(Self.maximumPreparing) netascii conversions are waiting")
            return
        }
        preparation.async { [self] in
            defer { preparing.subtract(1, ordering: .relaxed) }
            convertThenBegin(request, content: content)
        }
    }

    /// What a transfer needs from its request once the file is open.
    private struct Request {
        let client: TFTPClient
        let node: String?
        /// The name as shown (escaped): the file is open already.
        let filename: String
        let options: [TFTPOption]
    }

    /// Netascii files up to this size are converted where the request arrived: a few milliseconds at most.
    private static let inlineNetasciiLimit = 256 << 10
    /// Large netascii requests waiting for the preparation thread; more are refused as busy.
    private static let maximumPreparing = 32
    private let preparation = DispatchQueue(label: "netroot.tftp.prepare", qos: .userInitiated)
    private let preparing = Atomic<Int>(0)

    private func convertThenBegin(_ request: Request, content: any TFTPContent) {
        do {
            begin(request, content: try NetasciiContent(converting: content))
        } catch {
            transfers.release(request.client)
            counters.update { $0.failed += 1 }
            throttle.log(.error, "cannot read \(request.filename) for \(request.node ?? "\(request.client.address)"): \(error)",
                         key: "tftp failed: cannot read a file", to: logger)
            recordFailure(request.filename, .readFailed("\(error)"), client: request.client, node: request.node)
            reply(to: request.client, .error(.notDefined, "cannot read the file"))
        }
    }

    /// Negotiates, takes a port and sends the first reply; the transfer's thread carries on from the client's answer.
    /// Runs on the port 69 thread, or on the preparation thread for a large netascii file.
    private func begin(_ request: Request, content: any TFTPContent) {
        let client = request.client
        let limits = TransferOptions.Limits(mtu: configuration.mtu)
        let negotiated: TransferOptions
        switch TransferOptions.negotiate(request.options, size: content.size, limits: limits) {
        case .success(let result): negotiated = result
        case .failure(let failure):
            transfers.release(client)
            throttle.log(.info, "TFTP request for \(request.filename) from \(client) refused: \(UntrustedText.escape(failure.message))",
                         key: "tftp refused: option negotiation", to: logger)
            reply(to: client, .error(.optionNegotiationRefused, failure.message))
            return
        }
        let sockets: TransferSockets
        do {
            sockets = try spares.take() ?? TransferSockets.open(address: configuration.address)
        } catch {
            transfers.release(client)
            throttle.log(.error, "cannot open a port for a transfer to \(client): \(error)",
                         key: "tftp failed: cannot open a port", to: logger)
            return
        }
        do {
            try sockets.connect(to: client)
        } catch {
            sockets.close()
            transfers.release(client)
            throttle.log(.error, "cannot start a transfer to \(client): \(error)",
                         key: "tftp failed: cannot connect", to: logger)
            return
        }
        let session = TransferSession(client: client, sockets: sockets, node: request.node, filename: request.filename,
                                      content: content, options: negotiated, transfers: transfers, counters: counters,
                                      timeline: timeline, logger: logger, throttle: throttle)
        // The first reply leaves from here; the transfer's thread takes over from the client's answer on.
        session.start()
        loops.adopt(session)
        spares.refill()
    }

    /// Refuses a request the limits do not allow, with an error the client's retry logic sees.
    private func refuseBusy(_ client: TFTPClient, filename: String, why: String) {
        counters.update { $0.refused["busy", default: 0] += 1 }
        throttle.log(.warning, "TFTP request for \(filename) from \("\(client.address)") refused: \(why)",
                     key: "tftp refused: busy", to: logger)
        reply(to: client, .error(.notDefined, "server busy, try again"))
    }

    private func recordFailure(_ filename: String, _ status: BootEvent.FileTransfer.Status, client: TFTPClient,
                               node: String?) {
        let event = BootEvent(time: Date().timeIntervalSince1970,
                              .file(.init(path: filename, via: .tftp, status: status)))
        timeline.record(event, from: "\(client.address)", node: node)
    }

    private func reply(to client: TFTPClient, _ packet: TFTPPacket) {
        let bytes = packet.encoded
        _ = bytes.withUnsafeBytes { buffer in
            netroot_send_datagrams(listener, buffer.baseAddress, UInt(buffer.count), client.address.value.bigEndian,
                                   client.port.bigEndian, 0)
        }
    }
}
