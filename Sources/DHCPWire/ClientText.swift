import Values

/// The options a client fills with text of its choosing, as text safe to show: escaped where they enter
/// (`UntrustedText`: control characters and invalid UTF-8 as `\xNN`, a backslash as `\x5c`, capped). The
/// raw bytes stay in the options for decisions (`ClientFacts`) and round trips.
extension DHCPOptions {
    /// Option 60, vendor class identifier (RFC 2132 §9.13), escaped.
    public var shownVendorClass: String? {
        self[OptionCode.vendorClassIdentifier].map { UntrustedText.escape(bytes: $0) }
    }

    /// Option 12, host name (RFC 2132 §3.14), escaped.
    public var shownHostName: String? {
        self[OptionCode.hostName].map { UntrustedText.escape(bytes: $0) }
    }
}
