/// Where an effective value came from, so `nodes show` can explain it.
public enum Provenance: Sendable, Hashable, CustomStringConvertible {
    case node
    case group(String)
    case image(String)
    case network(String)
    case server
    case defaultValue

    public var description: String {
        switch self {
        case .node: "node"
        case .group(let name): "group \(name)"
        case .image(let name): "image \(name)"
        case .network(let name): "network \(name)"
        case .server: "server"
        case .defaultValue: "default"
        }
    }
}

/// An effective value and where it came from.
public struct Resolved<Value: Sendable & Equatable>: Sendable, Equatable {
    public var value: Value
    public var source: Provenance

    public init(_ value: Value, from source: Provenance) {
        self.value = value
        self.source = source
    }
}

/// Everything one node gets, resolved: node keys over later groups over earlier groups over the image over defaults.
public struct BootProfile: Sendable, Equatable {
    public var name: String
    public var mac: MACAddress
    public var ip: IPv4Address
    public var hostname: Resolved<String>
    public var groups: [String]
    /// The network whose subnet holds the node's address.
    public var network: Network
    public var leaseTime: Resolved<LeaseDuration>
    /// Nil when no image applies: the node gets an address and boots from local disk.
    public var image: Resolved<String>?
    public var kernel: Resolved<String>?
    public var initrd: Resolved<String>?
    /// DHCP option 17, sent to the initramfs and never to PXE firmware.
    public var rootPath: Resolved<RootPath>?
    public var cmdline: Resolved<String>
    public var biosBootfile: Resolved<String>
    public var uefiBootfile: Resolved<String>
    /// The node's BMC, merged node over groups; nil when none of them has a `bmc:` key.
    public var bmc: EffectiveBMC? = nil
    /// pxelinux over TFTP, an iPXE script and HTTP, or shim and GRUB.
    public var boot: Resolved<BootMethod> = Resolved(.defaultMethod, from: .defaultValue)
    /// Secure Boot on (`secure_boot`); off unless the node, a group or the image says so.
    public var secureBoot: Resolved<Bool> = Resolved(false, from: .defaultValue)
}

/// Resolves nodes against one inventory's groups, images and networks.
struct ProfileResolver {
    let server: ServerSettings
    let networks: [Network]
    let imagesByName: [String: BootImage]
    let groupsByName: [String: NodeGroup]

    init(server: ServerSettings, networks: [Network], images: [BootImage], groups: [NodeGroup]) {
        self.server = server
        self.networks = networks
        imagesByName = Dictionary(images.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        groupsByName = Dictionary(groups.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Precondition: the node passed validation (its groups, image and network exist).
    func resolve(_ node: ClusterNode) -> BootProfile {
        let groups = node.groups.compactMap { groupsByName[$0] }
        // The first match walking node, then groups from last to first, wins.
        func pick<Value>(_ nodeValue: Value?, _ groupValue: (NodeGroup) -> Value?) -> Resolved<Value>? {
            if let nodeValue { return Resolved(nodeValue, from: .node) }
            for group in groups.reversed() {
                if let value = groupValue(group) { return Resolved(value, from: .group(group.name)) }
            }
            return nil
        }
        let image = pick(node.image, \.image)
        let bootImage = image.flatMap { imagesByName[$0.value] }
        func fromImage<Value>(_ value: KeyPath<BootImage, Value?>) -> Resolved<Value>? {
            guard let bootImage, let text = bootImage[keyPath: value] else { return nil }
            return Resolved(text, from: .image(bootImage.name))
        }
        let network = networks.first { $0.subnet.contains(node.ip) }!
        return BootProfile(
            name: node.name,
            mac: node.mac,
            ip: node.ip,
            hostname: node.hostname.map { Resolved($0, from: .node) } ?? Resolved(node.name, from: .defaultValue),
            groups: node.groups,
            network: network,
            leaseTime: Resolved(network.leaseTime, from: .network(network.name)),
            image: image,
            kernel: bootImage.map { Resolved($0.kernel, from: .image($0.name)) },
            initrd: fromImage(\.initrd),
            rootPath: pick(node.rootPath, \.rootPath) ?? fromImage(\.rootPath),
            cmdline: pick(node.cmdline, \.cmdline) ?? fromImage(\.cmdline) ?? Resolved("", from: .defaultValue),
            biosBootfile: server.biosBootfile,
            uefiBootfile: server.uefiBootfile,
            bmc: EffectiveBMC.resolve(node: node.bmc, groups: groups.map { ($0.name, $0.bmc) }),
            boot: pick(node.boot, \.boot) ?? fromImage(\.boot) ?? Resolved(.defaultMethod, from: .defaultValue),
            secureBoot: pick(node.secureBoot, \.secureBoot) ?? fromImage(\.secureBoot)
                ?? Resolved(false, from: .defaultValue))
    }
}
