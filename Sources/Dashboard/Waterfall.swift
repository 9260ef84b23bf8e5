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

/// Bars from a timeline's steps. Pure: the figures come from the typed steps, the words from `BootEventText`.
public enum Waterfall {
    /// A DHCP request and the reply (or silence) that follows it become one bar; a file's bar starts when its
    /// transfer did (its step is recorded at the end, with the transfer's duration).
    public static func bars(_ events: [BootEvent]) -> [WaterfallBar] {
        var bars: [WaterfallBar] = []
        var request: BootEvent?
        func flushRequest() {
            if let pending = request { bars.append(bar(pending)) }
            request = nil
        }
        for event in events {
            switch event.step {
            case .dhcpRequest:
                flushRequest()
                request = event
            case .dhcpReply, .unanswered:
                if let pending = request {
                    bars.append(WaterfallBar(service: .dhcp,
                                             step: "\(BootEventText.step(pending)) → \(BootEventText.step(event))",
                                             detail: [BootEventText.detail(pending), BootEventText.detail(event)]
                                                 .filter { !$0.isEmpty }.joined(separator: "; "),
                                             start: pending.time, end: event.time, bytes: nil,
                                             failed: event.outcome == .failed))
                    request = nil
                } else {
                    bars.append(bar(event))
                }
            case .file, .power:
                flushRequest()
                bars.append(bar(event))
            }
        }
        flushRequest()
        return bars
    }

    private static func bar(_ event: BootEvent) -> WaterfallBar {
        let file = event.file
        return WaterfallBar(service: event.service, step: BootEventText.step(event),
                            detail: BootEventText.detail(event), start: event.time - (file?.duration ?? 0),
                            end: event.time, bytes: file?.bytesDelivered, failed: event.outcome == .failed)
    }
}
