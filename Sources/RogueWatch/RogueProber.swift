import Capture
import Diagnostics
import Foundation
import Inventory
import Logging
import NIOConcurrencyHelpers
import Support

/// One round of the active rogue-DHCP probe on an interface: broadcasts `RogueProbe`'s DISCOVER through a
/// packet socket and collects the OFFERs that answer it (libpcap) for `wait` seconds. Never sends a REQUEST,
/// so no server binds a lease to the probe.
public enum RogueProbeRound {
    /// The verdicts, one per answering server (the first OFFER of each), in the order they came.
    public static func run(interface: String, interfaceMAC: MACAddress, ours: Set<IPv4Address>, wait: Double,
                           shouldStop: () -> Bool = { false }) throws -> [RogueProbe.Verdict] {
        // Open before sending, so no answer is missed.
        let handles = try Handles.open(interface: interface)
        return try run(handles, interface: interface, interfaceMAC: interfaceMAC, ours: ours, wait: wait,
                       shouldStop: shouldStop)
    }

    /// What a round sends and listens with; `serve`'s prober opens them once, while it holds CAP_NET_RAW, and
    /// keeps them for every round (a round's answers are told from earlier ones by its xid and MAC).
    public struct Handles: @unchecked Sendable { // used by one thread at a time
        let capture: PacketCapture
        let sender: RawFrameSender

        /// Promiscuous: a server that ignores the broadcast flag unicasts its OFFER to the probe's MAC, which is
        /// not the interface's.
        public static func open(interface: String) throws -> Handles {
            Handles(capture: try PacketCapture(interface: interface,
                                               filter: "udp and src port 67 and dst port 68 and udp[8] = 2",
                                               direction: .incoming, snapshotLength: 1500),
                    sender: try RawFrameSender(interface: interface))
        }
    }

    /// One round with opened handles.
    public static func run(_ handles: Handles, interface: String, interfaceMAC: MACAddress, ours: Set<IPv4Address>,
                           wait: Double, shouldStop: () -> Bool = { false }) throws -> [RogueProbe.Verdict] {
        let round = RogueProbe.Round(mac: RogueProbe.mac(for: interfaceMAC), xid: UInt32.random(in: 1...UInt32.max))
        let capture = handles.capture, sender = handles.sender
        let frame = UDPFrame.build(sourceMAC: round.mac.bytes, destinationMAC: [UInt8](repeating: 0xff, count: 6),
                                   sourceIP: 0, destinationIP: 0xffff_ffff, sourcePort: 68, destinationPort: 67,
                                   payload: RogueProbe.discover(round))
        guard sender.send(frame) else { throw SendFailure(description: "could not send the probe on \(interface)") }
        var verdicts: [RogueProbe.Verdict] = []
        var servers: Set<IPv4Address> = []
        let start = Date()
        var resent = false
        while !shouldStop(), Date().timeIntervalSince(start) < wait {
            // One lost frame must not hide a server: ask once more halfway, as clients retransmit.
            if !resent, Date().timeIntervalSince(start) >= wait / 2 {
                resent = true
                sender.send(frame)
            }
            guard let packet = try capture.next(),
                  let verdict = RogueProbe.judge(packet.bytes, round: round, ours: ours, time: packet.time) else { continue }
            let server: IPv4Address
            switch verdict {
            case .ours(let ip, _): server = ip
            case .rogue(let sighting): server = sighting.serverIP
            }
            if servers.insert(server).inserted { verdicts.append(verdict) }
        }
        return verdicts
    }

    /// The probe's frame did not leave whole.
    public struct SendFailure: Error, CustomStringConvertible {
        public let description: String
    }

    /// How long a round listens for OFFERs: servers answer within milliseconds, but many first ping the address
    /// they mean to offer and wait for no answer (dnsmasq 3 s, ISC dhcpd 1 s).
    public static let defaultWait: Double = 6
}

/// `serve`'s periodic probe: a round at start, then one every `interval` seconds; each rogue server that answers
/// is recorded with the passive watch's sightings (`netroot status`, `/metrics`) and logged once per interval.
final class RogueProber: Sendable {
    private let stopping = NIOLockedValueBox(false)
    private let finished = NIOLockedValueBox(false)

    init(_ handles: RogueProbeRound.Handles, interface: String, mac: MACAddress, ours: Set<IPv4Address>,
         partners: @escaping @Sendable () -> Set<IPv4Address>, interval: Int, servers: RogueServers,
         throttle: LogThrottle<String>, logger: Logger) {
        let stopping = self.stopping, finished = self.finished
        Thread.detachNewThread {
            defer { finished.withLockedValue { $0 = true } }
            let stop = { stopping.withLockedValue { $0 } }
            while !stop() {
                do {
                    let verdicts = try RogueProbeRound.run(handles, interface: interface, interfaceMAC: mac,
                                                           ours: ours.union(partners()),
                                                           wait: RogueProbeRound.defaultWait, shouldStop: stop)
                    var rogues = 0
                    for case .rogue(let sighting) in verdicts {
                        rogues += 1
                        servers.record(sighting)
                        throttle.log(.warning, "rogue DHCP server \(sighting.serverIP) (\(sighting.serverMAC)) offered \(sighting.offered) to probe on \(interface)",
                                     key: Self.throttleKey(sighting), to: logger)
                    }
                    logger.debug("rogue DHCP probe done", metadata: ["rogue servers": "\(rogues)"])
                } catch {
                    logger.error("rogue DHCP probe failed: \(error)")
                }
                throttle.flush(to: logger)
                let next = ContinuousClock.now + .seconds(interval)
                while !stop(), ContinuousClock.now < next { usleep(200_000) }
            }
        }
        logger.info("probing for other DHCP servers",
                    metadata: ["interface": "\(interface)", "probe MAC": "\(RogueProbe.mac(for: mac))",
                               "interval": "\(interval) s"])
    }

    /// One throttle key per rogue server, shared by the passive watch and the probe.
    static func throttleKey(_ sighting: RogueSighting) -> String { "rogue DHCP server \(sighting.serverIP)" }

    func stop() {
        stopping.withLockedValue { $0 = true }
        // A round wakes at least every 200 ms.
        for _ in 0..<20 where !finished.withLockedValue({ $0 }) { usleep(50_000) }
    }
}
