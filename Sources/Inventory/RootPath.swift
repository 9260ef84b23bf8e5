/// DHCP option 17 as `nodes.yaml` writes it: `nfs:SERVER:/PATH[:OPTIONS]` (or `nfs4:`), which dracut and
/// busybox mount and `export: nfs` serves, or any other text the initramfs understands, passed on as written.
/// One parser and one renderer for the checker, the DHCP reply and the NFS exports.
public struct RootPath: Sendable, Hashable, CustomStringConvertible {
    /// Where an NFS root is: the server nodes mount from, the path it exports, and mount options if any.
    public struct NFSLocation: Sendable, Hashable {
        public var scheme: Scheme
        /// An IPv4 address or a host name.
        public var server: String
        /// Absolute; what `export: nfs` serves as the export's pseudo path.
        public var path: String
        /// dracut's `:OPTIONS` after the path, without the colon.
        public var options: String?

        public init(scheme: Scheme, server: String, path: String, options: String? = nil) {
            self.scheme = scheme
            self.server = server
            self.path = path
            self.options = options
        }

        public enum Scheme: String, Sendable, Hashable {
            case nfs
            case nfs4
        }
    }

    /// Why a text is not a root path.
    public enum Problem: Error, Equatable {
        /// A control character or line separator: option 17 is one line of text.
        case lineBreak(LineBreaker)
        /// `nfs:` or `nfs4:` not followed by `SERVER:/PATH`; the scheme, for the example in the message.
        case malformedNFS(scheme: String)
        /// Empty, or longer than one DHCP option carries.
        case length
    }

    /// Set for an `nfs:` or `nfs4:` root path.
    public let nfs: NFSLocation?
    private let other: String?

    public init(nfs: NFSLocation) {
        self.nfs = nfs
        other = nil
    }

    /// Checks `text` for everything option 17 and an NFS export need.
    public static func parse(_ text: String) -> Result<RootPath, Problem> {
        if let breaker = LineBreaker.first(in: text) { return .failure(.lineBreak(breaker)) }
        for scheme in [NFSLocation.Scheme.nfs, .nfs4] where text.hasPrefix(scheme.rawValue + ":") {
            guard let location = parseNFS(text.dropFirst(scheme.rawValue.count + 1), scheme: scheme) else {
                return .failure(.malformedNFS(scheme: scheme.rawValue + ":"))
            }
            let rootPath = RootPath(nfs: location)
            return rootPath.optionText.count <= maximumLength ? .success(rootPath) : .failure(.length)
        }
        guard !text.isEmpty, text.utf8.count <= maximumLength else { return .failure(.length) }
        return .success(RootPath(other: text))
    }

    /// A DHCP option carries at most 255 bytes.
    public static let maximumLength = 255

    /// The text sent in option 17, as written in `nodes.yaml`.
    public var description: String {
        guard let nfs else { return other ?? "" }
        return nfs.scheme.rawValue + ":" + nfs.server + ":" + nfs.path + (nfs.options.map { ":" + $0 } ?? "")
    }

    /// Option 17's bytes.
    public var optionText: [UInt8] { Array(description.utf8) }

    private init(other: String) {
        nfs = nil
        self.other = other
    }

    /// `SERVER:/PATH[:OPTIONS]`. The server is an address or a host name; the path and options hold no spaces,
    /// quotes or backslashes (the path is written quoted into the NFS server's export configuration).
    private static func parseNFS(_ rest: Substring, scheme: NFSLocation.Scheme) -> NFSLocation? {
        let parts = rest.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 2, IPv4Address(parts[0]) != nil || Names.isDomainName(parts[0]),
              parts[1].hasPrefix("/"), parts[1...].allSatisfy(isPlainWord) else { return nil }
        return NFSLocation(scheme: scheme, server: parts[0], path: parts[1], options: parts.count == 3 ? parts[2] : nil)
    }

    private static func isPlainWord(_ text: String) -> Bool {
        !text.unicodeScalars.contains { $0 == " " || $0 == "\"" || $0 == "\\" || $0.properties.isWhitespace }
    }
}
