/// How netroot talks to a node's baseboard management controller.
public enum BMCProtocol: String, Sendable, Equatable, CaseIterable, CustomStringConvertible {
    /// IPMI 2.0 over LAN (RMCP+, `ipmitool -I lanplus`).
    case ipmi
    /// DMTF Redfish over HTTPS.
    case redfish

    public var description: String { rawValue }
}

/// Text that must not be shown: it prints as `(set)` everywhere (`nodes show`, logs, string interpolation).
public struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The secret itself, for the one place that sends it to a BMC.
    public let revealed: String

    public init(_ revealed: String) { self.revealed = revealed }

    public var description: String { "(set)" }
    public var debugDescription: String { "(set)" }
}

/// Where a BMC password is: a file (preferred: it stays out of nodes.yaml) or the inventory itself.
public enum BMCPassword: Sendable, Equatable, CustomStringConvertible {
    /// An absolute path; the password is the file's first line.
    case file(String)
    case inline(Secret)

    /// `(set)` for an inline password, `(set) in FILE` for a file: never the password.
    public var description: String {
        switch self {
        case .file(let path): "(set) in \(path)"
        case .inline: "(set)"
        }
    }
}

/// A `bmc:` mapping as written in a node or a group: every key optional, merged node over groups.
public struct BMCSettings: Sendable, Equatable {
    /// An IPv4 address or a host name.
    public var address: String?
    public var port: Int?
    public var `protocol`: BMCProtocol?
    public var username: String?
    public var password: BMCPassword?
    /// Redfish: the ComputerSystem's path, e.g. `/redfish/v1/Systems/1`; discovered when absent.
    public var system: String?
    /// Redfish: the CA certificate (absolute path) that signed the BMC's certificate.
    public var tlsCA: String?
    /// Redfish: `insecure: true` skips certificate verification, said explicitly.
    public var insecure: Bool?

    public init(address: String? = nil, port: Int? = nil, protocol: BMCProtocol? = nil, username: String? = nil,
                password: BMCPassword? = nil, system: String? = nil, tlsCA: String? = nil, insecure: Bool? = nil) {
        self.address = address
        self.port = port
        self.protocol = `protocol`
        self.username = username
        self.password = password
        self.system = system
        self.tlsCA = tlsCA
        self.insecure = insecure
    }

    public static let defaultPort = 623

    /// IPMI over LAN's 623, HTTPS's 443 for Redfish.
    public static func defaultPort(for bmcProtocol: BMCProtocol) -> Int {
        bmcProtocol == .redfish ? 443 : defaultPort
    }
    public static let defaultProtocol = BMCProtocol.ipmi
}

/// A node's BMC settings, resolved: each value from the node, else its last group that sets it, else the default.
public struct EffectiveBMC: Sendable, Equatable {
    /// Nil when neither the node nor its groups name the BMC: the node cannot be power-controlled.
    public var address: Resolved<String>?
    public var port: Resolved<Int>
    public var `protocol`: Resolved<BMCProtocol>
    public var username: Resolved<String>?
    public var password: Resolved<BMCPassword>?
    public var system: Resolved<String>?
    public var tlsCA: Resolved<String>?
    public var insecure: Resolved<Bool>
}

extension EffectiveBMC {
    /// Merges `node` over `groups` (a later group over an earlier one); nil when none of them has a `bmc:` key.
    static func resolve(node: BMCSettings?, groups: [(name: String, bmc: BMCSettings?)]) -> EffectiveBMC? {
        let layers: [(Provenance, BMCSettings)] = ([(Provenance.node, node)] + groups.reversed().map {
            (Provenance.group($0.name), $0.bmc)
        }).compactMap { source, settings in settings.map { (source, $0) } }
        guard !layers.isEmpty else { return nil }
        func pick<Value>(_ value: (BMCSettings) -> Value?) -> Resolved<Value>? {
            for (source, settings) in layers {
                if let found = value(settings) { return Resolved(found, from: source) }
            }
            return nil
        }
        let bmcProtocol = pick(\.protocol) ?? Resolved(BMCSettings.defaultProtocol, from: .defaultValue)
        return EffectiveBMC(
            address: pick(\.address),
            port: pick(\.port) ?? Resolved(BMCSettings.defaultPort(for: bmcProtocol.value), from: .defaultValue),
            protocol: bmcProtocol,
            username: pick(\.username), password: pick(\.password), system: pick(\.system), tlsCA: pick(\.tlsCA),
            insecure: pick(\.insecure) ?? Resolved(false, from: .defaultValue))
    }
}
