/// The options of one transfer after negotiation (RFC 2347, 2348, 2349, 7440).
public struct TransferOptions: Sendable, Equatable {
    /// Payload bytes per DATA packet (RFC 2348; 512 without the option).
    public var blockSize = 512
    /// Blocks sent before waiting for an ACK (RFC 7440; 1 is RFC 1350 lockstep).
    public var windowSize = 1
    /// Seconds before a retransmission, when the client asked (RFC 2349).
    public var timeoutSeconds: Int?
    /// What the OACK carries, in the order the client asked; empty means no OACK (plain RFC 1350).
    public var acknowledged: [TFTPOption] = []

    public init() {}

    /// Limits the server applies whatever a client asks.
    public struct Limits: Sendable {
        /// The largest block that fits the interface MTU: MTU − 20 (IPv4) − 8 (UDP) − 4 (TFTP header).
        public var maximumBlockSize: Int
        /// Bounds a burst, so one client cannot monopolise the link or the socket buffer.
        public var maximumWindowSize: Int

        public init(mtu: Int = 1500, maximumWindowSize: Int = 64) {
            maximumBlockSize = max(512, mtu - 32)
            self.maximumWindowSize = maximumWindowSize
        }
    }

    /// Negotiates the client's options for a file of `size` bytes. An out-of-range `blksize` is refused with
    /// error 8 (RFC 2348 allows 8–65464); unknown options are left out of the OACK (RFC 2347).
    public static func negotiate(_ requested: [TFTPOption], size: Int,
                                 limits: Limits) -> Result<TransferOptions, TFTPNegotiationError> {
        var options = TransferOptions()
        for option in requested {
            let (name, value) = (option.name, option.value)
            switch name {
            case "blksize":
                guard let asked = Int(value), (8...65464).contains(asked) else {
                    return .failure(TFTPNegotiationError(message: "blksize \(value) outside 8-65464"))
                }
                options.blockSize = min(asked, limits.maximumBlockSize)
                options.acknowledged.append(TFTPOption(name, String(options.blockSize)))
            case "tsize":
                // RFC 2349: a read request sends 0; the reply carries the real size.
                options.acknowledged.append(TFTPOption(name, String(size)))
            case "timeout":
                if let seconds = Int(value), (1...255).contains(seconds) {
                    options.timeoutSeconds = seconds
                    options.acknowledged.append(TFTPOption(name, value))
                }
            case "windowsize":
                if let asked = Int(value), (1...65535).contains(asked) {
                    options.windowSize = min(asked, limits.maximumWindowSize)
                    options.acknowledged.append(TFTPOption(name, String(options.windowSize)))
                }
            default:
                continue
            }
        }
        return .success(options)
    }
}

/// A client option the server will not accept (answered with error 8).
public struct TFTPNegotiationError: Error, Sendable, Equatable {
    public let message: String

    public init(message: String) { self.message = message }
}
