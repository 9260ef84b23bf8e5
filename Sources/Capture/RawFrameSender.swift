import CPcap

/// Sends raw Ethernet frames on one interface through libpcap (`pcap_inject`).
///
/// Not thread-safe: use it from one thread (the DHCP event loop).
public final class RawFrameSender {
    /// Why the interface could not be opened for injection.
    public struct OpenError: Error, CustomStringConvertible {
        public let description: String
    }

    private let handle: OpaquePointer
    public let interface: String

    public init(interface: String) throws {
        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        guard let handle = pcap_create(interface, &errorBuffer) else {
            throw OpenError(description: "pcap_create(\(interface)): \(Self.text(errorBuffer))")
        }
        // Injection only: capture nothing, so the kernel copies no packets to this handle.
        pcap_set_snaplen(handle, 64)
        pcap_set_immediate_mode(handle, 1)
        let status = pcap_activate(handle)
        if status < 0 {
            let reason = String(cString: pcap_geterr(handle))
            pcap_close(handle)
            throw OpenError(description: "pcap_activate(\(interface)): \(reason)")
        }
        // Nor see outgoing packets at all: the kernel then skips this socket for every packet the host sends.
        IncomingOnly.apply(to: handle)
        var program = bpf_program()
        if pcap_compile(handle, &program, "less 1", 1, PCAP_NETMASK_UNKNOWN) == 0 {
            pcap_setfilter(handle, &program)
            pcap_freecode(&program)
        }
        self.handle = handle
        self.interface = interface
    }

    deinit { pcap_close(handle) }

    /// Returns false when the frame was not sent whole.
    @discardableResult
    public func send(_ frame: [UInt8]) -> Bool {
        frame.withUnsafeBytes { buffer in
            pcap_inject(handle, buffer.baseAddress, buffer.count) == Int32(buffer.count)
        }
    }

    private static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
