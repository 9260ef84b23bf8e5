import Capture
import Diagnostics
import Foundation
import Inventory
import Logging
import NIOConcurrencyHelpers
import Support

/// Watches the provisioning interface (libpcap, incoming `udp src port 67`) for OFFERs and ACKs from any other
/// DHCP server; each rogue server is logged once per interval and listed by `netroot status` and `doctor`.
/// With `probeInterval` (seconds, 0 for none) it also runs the active probe (`RogueProber`), which finds servers
/// whose OFFERs never reach this port on a switch.
public final class RogueMonitor: Sendable {
    public let servers: RogueServers
    private let stopping = NIOLockedValueBox(false)
    private let finished = NIOLockedValueBox(false)
    private let prober: RogueProber?

    /// The capture the watch reads and, with a probe interval, the probe's handles: `serve` opens them while it
    /// holds CAP_NET_RAW, before its threads start.
    public struct Handles: @unchecked Sendable { // each used by one thread
        let watch: PacketCapture
        let probe: RogueProbeRound.Handles?

        public static func open(interface: String, mac: MACAddress, probe: Bool) throws -> Handles {
            // The kernel's filter keeps only other servers' replies (BOOTREPLY, op 2): relays forward requests to
            // us from port 67 too, and this server's own replies leave through the same interface, so without it
            // a busy server's every packet would wake this thread.
            Handles(watch: try PacketCapture(interface: interface,
                                             filter: "udp and src port 67 and udp[8] = 2 and not ether src \(mac)",
                                             direction: .incoming, snapshotLength: 1500),
                    probe: probe ? try RogueProbeRound.Handles.open(interface: interface) : nil)
        }
    }

    /// `partners` are the addresses of the appliances sharing this one's lease database, read per sighting:
    /// they are netroot too, not rogues. `handles` nil: opened here.
    public init(interface: String, mac: MACAddress, ours: Set<IPv4Address>,
         partners: @escaping @Sendable () -> Set<IPv4Address> = { [] }, probeInterval: Int = 0,
         handles: Handles? = nil, logger: Logger) throws {
        let handles = try handles ?? Handles.open(interface: interface, mac: mac, probe: probeInterval > 0)
        let capture = handles.watch
        let servers = RogueServers()
        self.servers = servers
        // Each rogue server once per 10 minutes, whether the watch or the probe saw it.
        let throttle = LogThrottle<String>(.init(limit: 1, interval: .seconds(600),
                                                 capacity: RogueServers.defaultCapacity))
        prober = if probeInterval > 0, let probe = handles.probe {
            RogueProber(probe, interface: interface, mac: mac, ours: ours, partners: partners,
                        interval: probeInterval, servers: servers, throttle: throttle, logger: logger)
        } else {
            nil
        }
        let stopping = self.stopping, finished = self.finished
        let box = UnsafeTransfer(capture)
        // The prober reports the OFFERs to its own MAC, with its own words; the watch sees them too (broadcast).
        let probeMAC = RogueProbe.mac(for: mac)
        Thread.detachNewThread {
            defer { finished.withLockedValue { $0 = true } }
            while !stopping.withLockedValue({ $0 }) {
                // The capture wakes at least every 200 ms: a count held back is reported once its interval is over.
                throttle.flush(to: logger)
                let packet: (bytes: [UInt8], time: Double)?
                do { packet = try box.value.next() } catch {
                    logger.error("rogue DHCP watch stopped: \(error)")
                    return
                }
                guard let packet, let sighting = RogueDetector.inspect(packet.bytes, ours: ours, time: packet.time),
                      sighting.client != probeMAC, !partners().contains(sighting.serverIP) else { continue }
                servers.record(sighting)
                throttle.log(.warning, "another DHCP server on \(interface): \(sighting.serverIP) (\(sighting.serverMAC)) sent \(sighting.type) \(sighting.offered) to \(sighting.client)",
                             key: RogueProber.throttleKey(sighting), to: logger)
            }
        }
        logger.info("watching for other DHCP servers", metadata: ["interface": "\(interface)"])
    }

    public func stop() {
        prober?.stop()
        stopping.withLockedValue { $0 = true }
        // The capture wakes at least every 200 ms.
        for _ in 0..<20 where !finished.withLockedValue({ $0 }) { usleep(50_000) }
    }
}

/// Hands a value used by one thread at a time to that thread.
struct UnsafeTransfer<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
