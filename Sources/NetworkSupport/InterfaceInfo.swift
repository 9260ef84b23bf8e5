import Foundation
import Inventory

/// What the kernel says about the serving interface: its MAC, IPv4 addresses and MTU.
public struct InterfaceInfo: Sendable {
    public let name: String
    public let mac: MACAddress
    public let addresses: [IPv4Address]
    public let mtu: Int

    /// Why the interface cannot serve.
    public struct LookupError: Error, CustomStringConvertible {
        public let description: String

        public init(description: String) { self.description = description }
    }

    public static func lookup(_ name: String) throws -> InterfaceInfo {
        var first: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&first) == 0 else { throw LookupError(description: "getifaddrs: \(String(cString: strerror(errno)))") }
        defer { freeifaddrs(first) }
        var addresses: [IPv4Address] = []
        var cursor = first
        while let entry = cursor {
            defer { cursor = entry.pointee.ifa_next }
            guard String(cString: entry.pointee.ifa_name) == name, let address = entry.pointee.ifa_addr else { continue }
            switch Int32(address.pointee.sa_family) {
            case AF_INET:
                address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { inet in
                    addresses.append(IPv4Address(UInt32(bigEndian: inet.pointee.sin_addr.s_addr)))
                }
            default:
                break
            }
        }
        // sysfs names the hardware address in the form MACAddress reads; `ip netns exec` mounts the namespace's own.
        let text = (try? String(contentsOfFile: "/sys/class/net/\(name)/address", encoding: .utf8)) ?? ""
        guard let mac = MACAddress(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw LookupError(description: "interface \(name) does not exist or has no Ethernet address")
        }
        let mtuText = (try? String(contentsOfFile: "/sys/class/net/\(name)/mtu", encoding: .utf8)) ?? ""
        let mtu = Int(mtuText.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 1500
        return InterfaceInfo(name: name, mac: mac, addresses: addresses, mtu: mtu)
    }
}
