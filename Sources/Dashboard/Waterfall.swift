import BootTimeline

/// One bar of a node's waterfall: a DHCP exchange, a file fetched, a power action.
public struct WaterfallBar: Codable, Sendable, Equatable {
    public var service: BootEvent.Service
    /// `DISCOVER → OFFER 10.0.0.11`, `alpha/vmlinuz`, `power on`.
    public var step: String
    public var detail: String
    /// Seconds since 1970; `start == end` for an instant.
    public var start: Double
    public var end: Double
    /// Bytes sent, for a file.
    public var bytes: Int?
    public var failed: Bool
}

/// Bars from a timeline's steps. Pure.
public enum Waterfall {
    /// A DHCP request and the reply that follows it become one bar; a file's bar starts when its transfer
    /// did (its step is recorded at the end, with `… in 243 ms` in the detail).
    public static func bars(_ events: [BootEvent]) -> [WaterfallBar] {
        var bars: [WaterfallBar] = []
        var request: BootEvent?
        func flushRequest() {
            if let pending = request { bars.append(bar(pending)) }
            request = nil
        }
        for event in events {
            if event.service == .dhcp {
                if isRequest(event.step) {
                    flushRequest()
                    request = event
                } else if let pending = request {
                    bars.append(WaterfallBar(service: .dhcp, step: "\(pending.step) → \(event.step)",
                                             detail: [pending.detail, event.detail].filter { !$0.isEmpty }
                                                 .joined(separator: "; "),
                                             start: pending.time, end: event.time, bytes: nil,
                                             failed: event.outcome == .failed))
                    request = nil
                } else {
                    bars.append(bar(event))
                }
            } else {
                flushRequest()
                bars.append(bar(event))
            }
        }
        flushRequest()
        return bars
    }

    private static func bar(_ event: BootEvent) -> WaterfallBar {
        let duration = event.service == .tftp || event.service == .http ? self.duration(in: event.detail) ?? 0 : 0
        return WaterfallBar(service: event.service, step: event.step, detail: event.detail,
                            start: event.time - duration, end: event.time, bytes: size(in: event.detail),
                            failed: event.outcome == .failed)
    }

    /// `DISCOVER`, `REQUEST`, `INFORM`: one word; replies carry an address (`OFFER 10.0.0.11`) or are `NAK` or
    /// `… unanswered`.
    private static func isRequest(_ step: String) -> Bool {
        ["DISCOVER", "REQUEST", "INFORM", "DECLINE", "RELEASE"].contains(step)
    }

    /// Seconds from `… in 243 ms` or `… in 1.2 s`.
    static func duration(in detail: String) -> Double? {
        guard let range = detail.range(of: " in ") else { return nil }
        let words = detail[range.upperBound...].split(separator: " ")
        guard words.count >= 2, let value = Double(words[0]) else { return nil }
        let unit = String(words[1].filter { $0 != "," && $0 != ")" })
        switch unit {
        case "ms": return value / 1000
        case "s": return value
        default: return nil
        }
    }

    /// Bytes from `46.2 KiB`, `7.9 MiB`, `512 B` (as TimelineReport.size writes them), rounded.
    static func size(in detail: String) -> Int? {
        let words = detail.split(whereSeparator: { $0 == " " || $0 == "," })
        for (index, word) in words.enumerated().dropFirst() {
            let scale: Double? = switch word {
            case "B": 1
            case "KiB": 1024
            case "MiB": 1_048_576
            case "GiB": 1_073_741_824
            default: nil
            }
            if let scale, let value = Double(words[index - 1]) { return Int((value * scale).rounded()) }
        }
        return nil
    }
}
