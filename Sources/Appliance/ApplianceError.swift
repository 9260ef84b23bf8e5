/// Why the appliance, or one of its parts, could not start: the one error type of this module.
public enum ApplianceError: Error, CustomStringConvertible, Sendable {
    /// The appliance could not start; why is already logged.
    case startFailed
    /// The bridge could not be brought up at start.
    case bridge(String)
    /// The HTTP boot service could not bind its port.
    case httpBoot(String)
    /// `server.http_token_file` could not be read.
    case tokenFile(String)
    /// The router advertisements' socket could not be set up.
    case routerAdvertisements(String)
    /// The ops listener (`server.http`) could not bind its port.
    case http(String)
    /// The rogue DHCP watch's captures could not be opened.
    case rogueWatch(String)

    public var description: String {
        switch self {
        case .startFailed: "the appliance could not start (the log says why)"
        case .bridge(let text), .httpBoot(let text), .tokenFile(let text), .routerAdvertisements(let text),
             .http(let text), .rogueWatch(let text): text
        }
    }
}
