import CPcap
#if canImport(Glibc)
import Glibc
#endif

/// A libpcap capture on one interface with a BPF filter, read packet by packet (blocking, with a timeout so the
/// reader can notice it should stop), and optionally written to a pcap file that Wireshark and tshark open.
///
/// Not thread-safe: one thread reads it.
public final class PacketCapture {
    /// Which packets to see.
    public enum Direction {
        /// Only packets arriving at this host (what other machines send).
        case incoming
        case both
    }

    private let handle: OpaquePointer
    private var dumper: OpaquePointer?
    private let timeoutMilliseconds: Int32

    /// `filter` is a tcpdump expression; `timeout` bounds each wait in `next`. `promiscuous` also shows frames
    /// addressed to other machines that reach the interface (on a bridge: everything the bridge forwards).
    public init(interface: String, filter: String, direction: Direction, promiscuous: Bool = true,
                snapshotLength: Int32 = 65535, timeoutMilliseconds: Int32 = 200) throws {
        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        guard let handle = pcap_create(interface, &errorBuffer) else {
            throw CaptureError(description: "pcap_create(\(interface)): \(Self.text(errorBuffer))")
        }
        pcap_set_snaplen(handle, snapshotLength)
        pcap_set_promisc(handle, promiscuous ? 1 : 0)
        pcap_set_timeout(handle, timeoutMilliseconds)
        pcap_set_immediate_mode(handle, 1)
        let status = pcap_activate(handle)
        guard status >= 0 else {
            let reason = String(cString: pcap_geterr(handle))
            pcap_close(handle)
            throw CaptureError(description: "pcap_activate(\(interface)): \(reason)")
        }
        if direction == .incoming { IncomingOnly.apply(to: handle) }
        // In immediate mode libpcap's own wait ignores the timeout and blocks until a packet comes: `next` waits
        // with poll instead and reads without blocking.
        guard pcap_setnonblock(handle, 1, &errorBuffer) == 0 else {
            pcap_close(handle)
            throw CaptureError(description: "pcap_setnonblock(\(interface)): \(Self.text(errorBuffer))")
        }
        var program = bpf_program()
        guard pcap_compile(handle, &program, filter, 1, PCAP_NETMASK_UNKNOWN) == 0 else {
            let reason = String(cString: pcap_geterr(handle))
            pcap_close(handle)
            throw CaptureError(description: "filter '\(filter)': \(reason)")
        }
        defer { pcap_freecode(&program) }
        guard pcap_setfilter(handle, &program) == 0 else {
            let reason = String(cString: pcap_geterr(handle))
            pcap_close(handle)
            throw CaptureError(description: "filter '\(filter)': \(reason)")
        }
        self.handle = handle
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    deinit {
        if let dumper { pcap_dump_close(dumper) }
        pcap_close(handle)
    }

    /// Also writes every packet `next` returns to `path`, as a pcap file.
    public func record(to path: String) throws {
        guard let dumper = pcap_dump_open(handle, path) else {
            throw CaptureError(description: "cannot write \(path): \(String(cString: pcap_geterr(handle)))")
        }
        self.dumper = dumper
    }

    /// The next packet (the bytes captured, from the Ethernet header, and when, in seconds since 1970), nil when
    /// the timeout passed without one. Throws when the capture broke (the interface went away).
    public func next() throws -> (bytes: [UInt8], time: Double)? {
        var descriptor = pollfd(fd: pcap_get_selectable_fd(handle), events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, timeoutMilliseconds) > 0 else { return nil } // the timeout, or a signal
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        let status = pcap_next_ex(handle, &header, &data)
        switch status {
        case 1:
            guard let header, let data else { return nil }
            if let dumper {
                pcap_dump(UnsafeMutableRawPointer(dumper).assumingMemoryBound(to: UInt8.self), header, data)
            }
            let time = Double(header.pointee.ts.tv_sec) + Double(header.pointee.ts.tv_usec) / 1_000_000
            return (Array(UnsafeBufferPointer(start: data, count: Int(header.pointee.caplen))), time)
        case 0:
            return nil
        default:
            throw CaptureError(description: "capture ended: \(String(cString: pcap_geterr(handle)))")
        }
    }

    /// Pushes what was written to the file out to disk.
    public func flush() {
        if let dumper { pcap_dump_flush(dumper) }
    }

    private static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
