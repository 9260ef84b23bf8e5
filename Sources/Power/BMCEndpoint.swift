import Inventory

/// One node's BMC, ready to be talked to: where, how, and the password itself (read from its file).
public struct BMCEndpoint: Sendable {
    public var node: String
    /// The node's MAC, so power steps land in the same boot timeline as its DHCP and TFTP steps.
    public var mac: String
    public var address: String
    public var port: Int
    public var `protocol`: BMCProtocol
    public var username: String
    public var password: Secret
    /// Redfish: the ComputerSystem path; discovered from /redfish/v1/Systems when nil.
    public var system: String?
    /// Redfish: the CA file that signed the BMC's certificate.
    public var tlsCA: String?
    /// Redfish: skip certificate verification (said explicitly in nodes.yaml).
    public var insecure: Bool

    public init(node: String, mac: String, address: String, port: Int, protocol: BMCProtocol, username: String,
                password: Secret, system: String? = nil, tlsCA: String? = nil, insecure: Bool = false) {
        self.node = node
        self.mac = mac
        self.address = address
        self.port = port
        self.protocol = `protocol`
        self.username = username
        self.password = password
        self.system = system
        self.tlsCA = tlsCA
        self.insecure = insecure
    }
}
