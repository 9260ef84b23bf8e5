/// The text/event-stream framing (WHATWG HTML §9.2): `event:` and one `data:` line per line of the payload.
public enum ServerSentEvent {
    public static func frame(event: String, data: String) -> [UInt8] {
        var text = "event: \(event)\n"
        for line in data.split(separator: "\n", omittingEmptySubsequences: false) { text += "data: \(line)\n" }
        return Array((text + "\n").utf8)
    }

    /// A comment line: keeps proxies and the browser from taking a quiet stream for a dead one.
    public static let heartbeat = Array(": keep-alive\n\n".utf8)

    /// Sent first: how long the browser waits before it reconnects.
    public static let retry = Array("retry: 2000\n\n".utf8)
}
