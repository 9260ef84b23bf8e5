/// The `server:` section: where the appliance listens and what it serves.
public struct ServerSettings: Sendable, Equatable {
    /// The interface DHCP and TFTP listen on.
    public var interface: String
    /// The address handed out as next-server; nil means the interface's first IPv4 address.
    public var address: IPv4Address?
    /// The TFTP root as an absolute path.
    public var tftpRoot: String
    /// Leases and other state, as an absolute path.
    public var stateDirectory: String
    /// Bootfile for BIOS PXE firmware (client architecture 0); `.server` when set in the file.
    public var biosBootfile: Resolved<String>
    /// Bootfile for x86-64 UEFI firmware (client architectures 7 and 9).
    public var uefiBootfile: Resolved<String>
    /// The signed shim x86-64 UEFI firmware gets for `boot: grub` (`bootfile.uefi_shim`, architectures 7, 9, 16).
    public var uefiShimBootfile: Resolved<String> = Resolved(ServerSettings.defaultUEFIShimBootfile, from: .defaultValue)
    /// The signed shim ARM64 UEFI firmware gets for `boot: grub` (`bootfile.arm64_shim`, architectures 11, 19).
    public var arm64ShimBootfile: Resolved<String> = Resolved(ServerSettings.defaultARM64ShimBootfile,
                                                              from: .defaultValue)
    /// Answer IPv6 router solicitations with an advertisement that configures nothing, so iPXE stops waiting
    /// ~13 s for a router before it starts TFTP. Lifetime 0 and no prefix: no host takes it as a router.
    public var routerAdvertisements: Bool = ServerSettings.defaultRouterAdvertisements

    /// Where `/metrics`, `/healthz` and `/status.json` are served over HTTP; nil (the default) for nowhere.
    public var http: HTTPListen? = nil

    /// Seconds between two rounds of the active rogue-DHCP probe (`rogue_probe_interval`); 0 turns it off.
    public var rogueProbeInterval: Int = ServerSettings.defaultRogueProbeInterval

    /// TFTP transfers at once (`tftp_max_transfers`), and from one client address
    /// (`tftp_max_transfers_per_client`); requests beyond them are refused with "server busy, try again".
    public var tftpMaximumTransfers: Int = ServerSettings.defaultTFTPMaximumTransfers
    public var tftpMaximumTransfersPerClient: Int = ServerSettings.defaultTFTPMaximumTransfersPerClient

    /// The HTTP boot service's port on the provisioning address (`http_boot_port`; iPXE scripts, kernels, initrds).
    public var httpBootPort: Int = ServerSettings.defaultHTTPBootPort

    /// Where leases are kept (`leases`): the journal in `state_dir`, or a PostgreSQL database appliances share.
    public var leases: LeaseStoreSettings = .journal

    /// The file holding the bearer token `server.http` requires (`http_token_file`, absolute); required when
    /// `http` is not on loopback.
    public var httpTokenFile: String? = nil

    /// Names `server.http` answers to besides its address and localhost (`http_names`): a `Host` naming anything
    /// else is refused, so a DNS-rebinding page cannot read the dashboard.
    public var httpNames: [String] = []

    /// HTTP connections at once on each listener (`http_max_connections`), and from one client address
    /// (`http_max_connections_per_client`); at a limit the oldest connection waiting for a request makes room.
    public var httpMaximumConnections: Int = ServerSettings.defaultHTTPMaximumConnections
    public var httpMaximumConnectionsPerClient: Int = ServerSettings.defaultHTTPMaximumConnectionsPerClient

    public static let defaultHTTPMaximumConnections = 4096
    public static let defaultHTTPMaximumConnectionsPerClient = 128
    public static let defaultHTTPBootPort = 8080
    public static let defaultTFTPMaximumTransfers = 4096
    public static let defaultTFTPMaximumTransfersPerClient = 1024
    public static let defaultRouterAdvertisements = true
    public static let defaultTFTPRoot = "../images"
    public static let defaultStateDirectory = "/var/lib/netroot"
    public static let defaultBIOSBootfile = "pxelinux.0"
    public static let defaultUEFIBootfile = "syslinux.efi"
    public static let defaultUEFIShimBootfile = "bootx64.efi"
    public static let defaultARM64ShimBootfile = "bootaa64.efi"
    public static let defaultRogueProbeInterval = 300
}

/// An address and port to listen on, written `127.0.0.1:9100`.
public struct HTTPListen: Sendable, Equatable, CustomStringConvertible {
    public var address: IPv4Address
    public var port: Int

    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPv4Address(String(parts[0])), let port = Int(parts[1]),
              (1...65535).contains(port) else { return nil }
        self.address = address
        self.port = port
    }

    public var description: String { "\(address):\(port)" }
}

/// The `bridge:` section: the bridge the bridge manager builds at start.
public struct BridgeSettings: Sendable, Equatable {
    public var name: String
    /// The interface whose addresses and routes move onto the bridge; nil for a bridge without uplink.
    public var uplink: String?
    /// Seconds; 0 lets ports forward at once, which PXE needs.
    public var forwardDelay: Int
    public var stp: Bool

    public static let defaultForwardDelay = 0
    public static let defaultSTP = false
}

/// One entry of `networks:`: a subnet nodes get addresses in.
public struct Network: Sendable, Equatable {
    public var name: String
    public var subnet: IPv4Subnet
    public var router: IPv4Address?
    public var dns: [IPv4Address]
    public var domain: String?
    public var leaseTime: LeaseDuration
    /// Addresses for unknown MACs; nil means unknown MACs get nothing.
    public var pool: IPv4Range?
    public var location: SourceLocation

    public static let defaultLeaseTime = LeaseDuration(seconds: 12 * 3600)
}

/// One entry of `images:`: what a node boots.
public struct BootImage: Sendable, Equatable {
    public var name: String
    /// Path under the TFTP root, as written.
    public var kernel: String
    public var initrd: String?
    /// DHCP option 17 for the initramfs, e.g. `nfs:192.168.1.200:/`.
    public var rootPath: RootPath?
    public var cmdline: String?
    /// `export: nfs`: `netroot serve` serves the imported root read-only over NFS at the root_path's path.
    public var exportsNFS: Bool = false
    public var location: SourceLocation
    /// How nodes of this image boot, unless a group or the node says otherwise.
    public var boot: BootMethod? = nil
    /// `secure_boot: true`: the image's nodes have Secure Boot on, so `check` refuses a boot path it would refuse.
    public var secureBoot: Bool? = nil
    /// Where `boot` and `secure_boot` were written, for `check`'s messages.
    public var bootKeys: BootKeyLocations = BootKeyLocations()
    /// `nfs_squash`: which users of a mounting machine the export maps to the anonymous user.
    public var nfsSquash: NFSSquash = .defaultSquash

    /// The imported root under state_dir that an exported image serves.
    public static func rootDirectory(image: String, stateDirectory: String) -> String {
        stateDirectory + "/images/" + image + "/rootfs"
    }

}

/// Which users of a mounting machine an image's NFS export maps to the anonymous user (`nfs_squash`).
public enum NFSSquash: String, Sendable, Equatable, CaseIterable, Codable, CustomStringConvertible {
    /// Nobody: a node's root reads the root-owned files of its root filesystem, which booting from it needs.
    case none
    /// uid and gid 0: for an image whose files nodes never need to read as root.
    case root
    /// Every user: the export is readable only where the anonymous user may read.
    case all

    /// `none`, what a root filesystem needs.
    public static let defaultSquash = NFSSquash.none
    public var description: String { rawValue }
}

/// One entry of `groups:`: defaults shared by nodes.
public struct NodeGroup: Sendable, Equatable {
    public var name: String
    public var image: String?
    public var rootPath: RootPath?
    public var cmdline: String?
    public var location: SourceLocation
    /// Defaults for the BMCs of the group's nodes.
    public var bmc: BMCSettings? = nil
    public var boot: BootMethod? = nil
    public var secureBoot: Bool? = nil
    public var bootKeys: BootKeyLocations = BootKeyLocations()
}

/// The path from the firmware to the kernel: pxelinux over TFTP, or an iPXE script with kernel and initrd over HTTP.
public enum BootMethod: String, Sendable, Equatable, CaseIterable, CustomStringConvertible {
    /// pxelinux.0 / syslinux.efi and a generated config, everything over TFTP (what every PXE ROM can do).
    case pxelinux
    /// An iPXE script over HTTP (iPXE ROMs directly; other PXE ROMs chain-load iPXE over TFTP first).
    case ipxe
    /// The Microsoft-signed shim, then the distribution's signed network GRUB and a generated `grub.cfg`: the
    /// path UEFI Secure Boot accepts, and the one ARM64 UEFI firmware has. BIOS machines take pxelinux.
    case grub

    public static let defaultMethod = BootMethod.pxelinux
    public var description: String { rawValue }
}

/// One entry of `nodes:`: a machine the appliance knows by MAC.
public struct ClusterNode: Sendable, Equatable {
    public var name: String
    public var mac: MACAddress
    public var ip: IPv4Address
    public var groups: [String]
    public var hostname: String?
    public var image: String?
    public var rootPath: RootPath?
    public var cmdline: String?
    public var location: SourceLocation
    /// The node's own `bmc:` keys, merged over its groups' in its profile.
    public var bmc: BMCSettings? = nil
    /// pxelinux, iPXE or GRUB, over the groups' and the image's choice.
    public var boot: BootMethod? = nil
    /// Secure Boot on, over the groups' and the image's word.
    public var secureBoot: Bool? = nil
    public var bootKeys: BootKeyLocations = BootKeyLocations()
}

/// Where an image, group or node wrote `boot:` and `secure_boot:` (nil: not written there).
public struct BootKeyLocations: Sendable, Equatable {
    public var boot: SourceLocation?
    public var secureBoot: SourceLocation?

    public init(boot: SourceLocation? = nil, secureBoot: SourceLocation? = nil) {
        self.boot = boot
        self.secureBoot = secureBoot
    }
}

/// Where a container's network namespace is: a path (`/var/run/netns/nfs`) or a process inside it.
public enum ContainerNamespace: Sendable, Equatable, Codable {
    case path(String)
    case pid(Int)

    /// The namespace as a file to open (`/proc/PID/ns/net` for a process).
    public var path: String {
        switch self {
        case .path(let path): path
        case .pid(let pid): "/proc/\(pid)/ns/net"
        }
    }
}

/// One entry of `containers:`: a container given a static address on the bridge through a veth pair.
public struct ContainerSettings: Sendable, Equatable {
    public var name: String
    public var address: IPv4Address
    public var prefixLength: Int
    /// The container's default route; nil for none.
    public var gateway: IPv4Address?
    public var namespace: ContainerNamespace
    /// The interface's name inside the container.
    public var interface: String

    public static let defaultInterface = "eth1"
}

/// A validated `nodes.yaml`: every reference resolves, every node has its effective profile.
public struct Inventory: Sendable {
    /// The file as the user named it.
    public let file: String
    public let server: ServerSettings
    public let bridge: BridgeSettings?
    /// In the order the file declares them; likewise below.
    public let networks: [Network]
    public let images: [BootImage]
    public let groups: [NodeGroup]
    public let nodes: [ClusterNode]
    /// Containers plumbed onto the bridge.
    public let containers: [ContainerSettings]
    /// One resolved profile per node, in node order.
    public let profiles: [BootProfile]

    private let profileIndexByName: [String: Int]
    private let profileIndexByMAC: [MACAddress: Int]
    private let profileIndexByIP: [IPv4Address: Int]

    init(file: String, server: ServerSettings, bridge: BridgeSettings?, networks: [Network], images: [BootImage],
         groups: [NodeGroup], nodes: [ClusterNode], containers: [ContainerSettings] = []) {
        self.file = file
        self.containers = containers
        self.server = server
        self.bridge = bridge
        self.networks = networks
        self.images = images
        self.groups = groups
        self.nodes = nodes
        let resolver = ProfileResolver(server: server, networks: networks, images: images, groups: groups)
        let profiles = nodes.map(resolver.resolve)
        self.profiles = profiles
        var byName: [String: Int] = [:], byMAC: [MACAddress: Int] = [:], byIP: [IPv4Address: Int] = [:]
        byName.reserveCapacity(profiles.count)
        byMAC.reserveCapacity(profiles.count)
        byIP.reserveCapacity(profiles.count)
        for (index, profile) in profiles.enumerated() {
            byName[profile.name] = index
            byMAC[profile.mac] = index
            byIP[profile.ip] = index
        }
        profileIndexByName = byName
        profileIndexByMAC = byMAC
        profileIndexByIP = byIP
    }

    public func profile(named name: String) -> BootProfile? { profileIndexByName[name].map { profiles[$0] } }

    /// A node as written in nodes.yaml, by name (profiles are resolved from `nodes` in the same order).
    public func node(named name: String) -> ClusterNode? { profileIndexByName[name].map { nodes[$0] } }

    public func profile(mac: MACAddress) -> BootProfile? { profileIndexByMAC[mac].map { profiles[$0] } }

    public func profile(ip: IPv4Address) -> BootProfile? { profileIndexByIP[ip].map { profiles[$0] } }

    /// A node by name, MAC or IP, as an administrator would type it.
    public func profile(matching query: String) -> BootProfile? {
        if let profile = profile(named: query) { return profile }
        if let mac = MACAddress(query), let profile = profile(mac: mac) { return profile }
        if let ip = IPv4Address(query) { return profile(ip: ip) }
        return nil
    }

    /// The node name closest to a misspelt one, for "did you mean".
    public func nodeName(closestTo query: String) -> String? {
        if let mac = MACAddress(query) {
            // A MAC a node's differs from in one or two hex digits is most likely that node's, mistyped.
            let digits = Array("\(mac)".filter(\.isHexDigit))
            let scored = nodes.map { node in
                (node.name, zip(digits, "\(node.mac)".filter(\.isHexDigit)).filter { $0 != $1 }.count)
            }
            return scored.filter { $0.1 <= 2 }.min { $0.1 < $1.1 }?.0
        }
        return Suggestion.closest(to: query, among: nodes.lazy.map(\.name))
    }

    public func network(containing address: IPv4Address) -> Network? {
        networks.first { $0.subnet.contains(address) }
    }
}
