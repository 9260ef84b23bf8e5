import Power

/// The one rule for the paths netroot sends a request to (pure): a path on the BMC itself. Every request carries
/// the node's Basic credentials, and the paths come from the BMC's own answers (`@odata.id`, an action's
/// `target`), so a link that names a host of its own would carry them elsewhere: `https://10.1.1.1:443` +
/// `@other:443/x` is a URL whose host is `other` (`10.1.1.1:443` becomes user information), and `//other/x` or
/// `http://other/x` name another host outright. Such a link is refused before anything is sent; the request's
/// host and port are always the BMC's (bmc.address and bmc.port).
enum RedfishLink {
    /// A refused link is shown up to this many characters (it is the BMC's text; the failure line is escaped
    /// where it enters the report).
    static let shownLimit = 120

    /// Whether `link` is a path on the BMC: it starts with exactly one `/`, and has no backslash (which some URL
    /// parsers read as `/`), no space and no control character.
    static func isPathOnBMC(_ link: String) -> Bool {
        let scalars = Array(link.unicodeScalars.prefix(2))
        guard scalars.first == "/", scalars.count < 2 || (scalars[1] != "/" && scalars[1] != "\\") else { return false }
        return !link.unicodeScalars.contains { $0 == "\\" || $0.value <= 0x20 || (0x7F...0x9F).contains($0.value) }
    }

    /// `link` when it is a path on the BMC; else the failure that names it. `method` is the request refused.
    static func checked(_ link: String, for method: RedfishMethod) throws(PowerFailure) -> String {
        guard isPathOnBMC(link) else { throw refusal(link, method: method) }
        return link
    }

    static func refusal(_ link: String, method: RedfishMethod) -> PowerFailure {
        let shown = link.unicodeScalars.count > shownLimit
            ? String(String.UnicodeScalarView(link.unicodeScalars.prefix(shownLimit))) + "…" : link
        return PowerFailure("refused to send \(method.rawValue) to the BMC's link \"\(shown)\": it is not a path on "
                            + "the BMC (netroot follows only paths that start with a single / and name no host; "
                            + "the credentials go to bmc.address alone)")
    }
}
