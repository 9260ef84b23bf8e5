/// Text a client or a BMC chose, made safe to show: see `UntrustedText.init`.
public struct UntrustedText: Sendable, Hashable {
    public let safe: String
    public init(_ raw: String) { safe = raw }
}
