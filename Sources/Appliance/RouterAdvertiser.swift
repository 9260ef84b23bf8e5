import Dispatch
import Foundation
import Logging
import NetworkSupport
import RouterAdvertisement
import Support
#if canImport(Glibc)
import Glibc
#endif

/// Answers IPv6 router solicitations on the serving interface with `NeutralRouterAdvertisement`: iPXE then goes
/// straight to TFTP instead of waiting ~13 s for a router. A raw ICMPv6 socket; the kernel fills the checksum.
// @unchecked: a dispatch source may be cancelled from any thread.
final class RouterAdvertiser: @unchecked Sendable {
    private let source: DispatchSourceRead

    /// The raw ICMPv6 socket on `interface`, joined to all-routers: it needs CAP_NET_RAW, so `serve` opens it
    /// before it drops its capabilities.
    static func openSocket(interface: InterfaceInfo) throws -> Int32 {
        let index = if_nametoindex(interface.name)
        guard index != 0 else { throw ApplianceError.routerAdvertisements("no interface \(interface.name)") }
        let descriptor = socket(AF_INET6, Int32(SOCK_RAW.rawValue), Int32(IPPROTO_ICMPV6))
        guard descriptor >= 0 else { throw ApplianceError.routerAdvertisements("raw ICMPv6 socket: \(Self.lastError)") }
        func option<T>(_ level: Int32, _ name: Int32, _ value: T, _ what: String) throws {
            let result = withUnsafeBytes(of: value) {
                setsockopt(descriptor, level, name, $0.baseAddress, socklen_t($0.count))
            }
            guard result == 0 else {
                let reason = Self.lastError
                close(descriptor)
                throw ApplianceError.routerAdvertisements("\(what): \(reason)")
            }
        }
        try option(SOL_SOCKET, SO_BINDTODEVICE, InterfaceName(interface.name).bytes, "bind to \(interface.name)")
        // RFC 4861 §6.1.2: hosts drop neighbour discovery messages whose hop limit is not 255.
        try option(Int32(IPPROTO_IPV6), IPV6_UNICAST_HOPS, Int32(255), "unicast hop limit")
        try option(Int32(IPPROTO_IPV6), IPV6_MULTICAST_HOPS, Int32(255), "multicast hop limit")
        try option(Int32(IPPROTO_IPV6), IPV6_MULTICAST_LOOP, Int32(0), "multicast loop")
        // Solicitations go to all-routers (ff02::2), which a host that does not forward has not joined.
        var membership = ipv6_mreq()
        membership.ipv6mr_multiaddr = Self.address("ff02::2")
        membership.ipv6mr_interface = index
        try option(Int32(IPPROTO_IPV6), IPV6_ADD_MEMBERSHIP, membership, "join ff02::2")
        return descriptor
    }

    /// Answers on `socket` (`openSocket`'s; opened here when nil).
    init(interface: InterfaceInfo, socket: Int32? = nil, logger: Logger) throws {
        let descriptor = try socket ?? Self.openSocket(interface: interface)
        let index = if_nametoindex(interface.name)

        let advertisement = NeutralRouterAdvertisement.advertisement(sourceMAC: interface.mac.bytes)
        // Hosts send at most 3 solicitations per link-up (RFC 4861 §6.3.7), but anyone can send thousands.
        let throttle = LogThrottle<String>(.init(limit: 10, interval: .seconds(10), capacity: 4))
        source = DispatchSource.makeReadSource(fileDescriptor: descriptor,
                                               queue: DispatchQueue(label: "netroot.router-advertisements"))
        source.setEventHandler {
            var buffer = [UInt8](repeating: 0, count: 1500)
            var from = sockaddr_in6()
            var length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            let count = buffer.withUnsafeMutableBytes { bytes in
                withUnsafeMutablePointer(to: &from) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        recvfrom(descriptor, bytes.baseAddress, bytes.count, Int32(MSG_DONTWAIT), $0, &length)
                    }
                }
            }
            guard count > 0, NeutralRouterAdvertisement.isSolicitation(buffer[..<count]) else { return }
            // §6.2.6: answer a solicitor with an address by unicast; one from :: gets all-nodes (ff02::1).
            var to = from
            let unspecified = withUnsafeBytes(of: from.sin6_addr) { $0.allSatisfy { $0 == 0 } }
            if unspecified { to.sin6_addr = Self.address("ff02::1") }
            to.sin6_scope_id = index
            to.sin6_port = 0
            let sent = advertisement.withUnsafeBytes { bytes in
                withUnsafePointer(to: &to) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(descriptor, bytes.baseAddress, bytes.count, 0, $0,
                               socklen_t(MemoryLayout<sockaddr_in6>.size))
                    }
                }
            }
            if sent == advertisement.count {
                throttle.log(.info, "router solicitation from \(Self.text(from.sin6_addr)) answered (lifetime 0, no prefix)",
                             key: "router solicitations answered", to: logger)
            } else {
                let error = Self.lastError
                throttle.log(.warning, "router advertisement to \(Self.text(to.sin6_addr)) failed: \(error)",
                             key: "router advertisements failed", to: logger)
            }
        }
        source.setCancelHandler { close(descriptor) }
        source.resume()
        logger.info("answering IPv6 router solicitations", metadata: ["interface": "\(interface.name)"])
    }

    func stop() { source.cancel() }

    private static var lastError: String { String(cString: strerror(errno)) }

    private static func address(_ text: String) -> in6_addr {
        var address = in6_addr()
        inet_pton(AF_INET6, text, &address)
        return address
    }

    private static func text(_ address: in6_addr) -> String {
        var address = address
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        inet_ntop(AF_INET6, &address, &buffer, socklen_t(buffer.count))
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
