import Bridge
import CNetlink
import CSyscalls
import Foundation
import Inventory

/// A failed netlink operation: what was attempted, on which interface, and the kernel's reason (`nl_geterror`).
public struct NetlinkError: Error, CustomStringConvertible {
    public let description: String

    init(_ what: String, code: Int32) {
        description = "\(what): \(String(cString: nl_geterror(code)))"
    }

    init(_ description: String) { self.description = description }
}

/// A NETLINK_ROUTE socket of the calling thread's network namespace, through libnl-3. Not shared between threads.
public final class Netlink {
    let socket: OpaquePointer

    public init() throws {
        socket = try Self.connectedSocket()
    }

    /// A socket in another network namespace (`namespace` is an open descriptor of it), made on a thread of its
    /// own that enters the namespace and then ends: the socket stays bound to that namespace, and no thread that
    /// runs anything else (the caller, a pool's thread) ever leaves its own, so none can be stranded in a
    /// container's namespace when the way back fails.
    public init(namespace: Int32, path: String) throws {
        socket = try NamespaceThread.run {
            guard netroot_enter_network_namespace(namespace) == 0 else {
                throw NetlinkError("cannot enter the network namespace \(path): \(String(cString: strerror(errno)))")
            }
            return try Self.connectedSocket()
        }.pointer
    }

    /// A new socket connected to rtnetlink in the calling thread's namespace.
    private static func connectedSocket() throws -> OpaquePointer {
        guard let socket = nl_socket_alloc() else { throw NetlinkError("cannot allocate a netlink socket") }
        let code = nl_connect(socket, Int32(NETLINK_ROUTE))
        guard code >= 0 else {
            nl_socket_free(socket)
            throw NetlinkError("connect to rtnetlink", code: code)
        }
        return socket
    }

    deinit { nl_socket_free(socket) }

    /// Throws unless `code` is a success (libnl returns negative NLE_* codes).
    func check(_ code: Int32, _ what: @autoclosure () -> String) throws {
        if code < 0 { throw NetlinkError(what(), code: code) }
    }

    /// The interface index of `name`.
    func index(of name: String) throws -> Int32 {
        var link: OpaquePointer?
        try check(rtnl_link_get_kernel(socket, 0, name, &link), "find interface \(name)")
        defer { rtnl_link_put(link) }
        return rtnl_link_get_ifindex(link)
    }

    /// Runs `body` with the kernel's current view of `name`, released afterwards.
    func withLink<T>(_ name: String, _ body: (OpaquePointer) throws -> T) throws -> T {
        var link: OpaquePointer?
        try check(rtnl_link_get_kernel(socket, 0, name, &link), "find interface \(name)")
        defer { rtnl_link_put(link) }
        guard let link else { throw NetlinkError("find interface \(name): no link returned") }
        return try body(link)
    }
}

/// Conversions between libnl's `nl_addr` and the inventory's value types.
enum NetlinkAddress {
    static func ipv4(_ address: OpaquePointer?) -> IPv4Address? {
        guard let address, nl_addr_get_family(address) == AF_INET else { return nil }
        guard nl_addr_get_len(address) == 4, let bytes = nl_addr_get_binary_addr(address) else {
            return nl_addr_get_len(address) == 0 ? IPv4Address(0) : nil
        }
        let raw = bytes.assumingMemoryBound(to: UInt8.self)
        return IPv4Address(UInt32(raw[0]) << 24 | UInt32(raw[1]) << 16 | UInt32(raw[2]) << 8 | UInt32(raw[3]))
    }

    static func mac(_ address: OpaquePointer?) -> MACAddress? {
        guard let address, nl_addr_get_len(address) == 6, let bytes = nl_addr_get_binary_addr(address) else { return nil }
        let raw = bytes.assumingMemoryBound(to: UInt8.self)
        return MACAddress(bytes: (0..<6).map { raw[$0] })
    }

    /// A new nl_addr (the caller puts it) for an IPv4 address with a prefix length.
    static func build(_ address: IPv4Address, prefixLength: Int = 32) throws -> OpaquePointer {
        var bytes = [UInt8(address.value >> 24), UInt8(address.value >> 16 & 0xff),
                     UInt8(address.value >> 8 & 0xff), UInt8(address.value & 0xff)]
        guard let built = nl_addr_build(AF_INET, &bytes, 4) else { throw NetlinkError("cannot allocate an address") }
        nl_addr_set_prefixlen(built, Int32(prefixLength))
        return built
    }

    /// A new nl_addr (the caller puts it) for a MAC address.
    static func build(_ mac: MACAddress) throws -> OpaquePointer {
        var bytes = mac.bytes
        guard let built = nl_addr_build(AF_LLC, &bytes, 6) else { throw NetlinkError("cannot allocate an address") }
        return built
    }
}
