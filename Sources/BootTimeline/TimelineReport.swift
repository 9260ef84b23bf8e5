import Foundation
import Inventory
import Values

/// Text for `netroot status`: a table of clients and one client's timeline. Pure: the clock is passed in.
/// Control characters in any field are escaped (`Terminal.safe`), whoever recorded the event.
public enum TimelineReport {
    /// One row per client: where its boot got to, when, and how long it has taken so far.
    public static func table(_ timelines: [ClientTimeline], now: Double) -> String {
        guard !timelines.isEmpty else { return "no boots seen since the server started\n" }
        var rows: [[String]] = []
        let shared = timelines.contains { $0.grantedBy != nil }
        for timeline in timelines {
            guard let last = timeline.last else { continue }
            let failed = last.outcome == .failed ? " (failed)" : ""
            let row = [timeline.client, timeline.mac ?? "-", timeline.address ?? "-",
                       "\(last.service) \(BootEventText.step(last))\(failed)",
                       "\(clock(last.time)) (\(ago(now - last.time)))", seconds(timeline.duration)]
            rows.append(shared ? row + [timeline.grantedBy ?? "-"] : row)
        }
        let header = ["NODE", "MAC", "ADDRESS", "LAST STEP", "WHEN", "BOOT TIME"] + (shared ? ["GRANTED BY"] : [])
        return InventoryReport.table(header: header, rows: rows) + "\n"
    }

    /// Every step of one client's current boot, with its offset from the first.
    public static func timeline(_ timeline: ClientTimeline) -> String {
        var text = timeline.client
        if let mac = timeline.mac, mac != timeline.client { text += "  \(mac)" }
        if let address = timeline.address, address != timeline.client { text += "  \(address)" }
        if let grantedBy = timeline.grantedBy { text += "  lease granted by \(grantedBy)" }
        text = Terminal.safe(text) + "\n"
        guard let start = timeline.events.first?.time else { return text + "  no steps recorded\n" }
        var rows: [[String]] = []
        for event in timeline.events {
            let mark = event.outcome == .failed ? "FAILED " : ""
            rows.append(["  " + clock(event.time, fraction: true), "+" + seconds(event.time - start),
                         event.service.rawValue, BootEventText.step(event), mark + BootEventText.detail(event)])
        }
        return text + InventoryReport.table(header: ["  TIME", "OFFSET", "SERVICE", "STEP", "DETAIL"], rows: rows)
            + "\n"
    }

    /// `12.3 s`, `850 ms`.
    public static func seconds(_ value: Double) -> String {
        value < 1 ? "\(Int((value * 1000).rounded())) ms" : String(format: "%.1f s", value)
    }

    /// `46.2 KiB`; byte counts under 1 KiB exactly.
    public static func size(_ bytes: Int) -> String {
        if bytes < 1024 { return "\(bytes) B" }
        if bytes < 1 << 20 { return String(format: "%.1f KiB", Double(bytes) / 1024) }
        return String(format: "%.1f MiB", Double(bytes) / Double(1 << 20))
    }

    /// `5 s ago`, `3 min ago`, `2 h ago`.
    public static func ago(_ elapsed: Double) -> String {
        let whole = max(0, Int(elapsed))
        if whole < 60 { return "\(whole) s ago" }
        if whole < 3600 { return "\(whole / 60) min ago" }
        return "\(whole / 3600) h ago"
    }

    /// Local wall-clock time, as in the server's log.
    private static func clock(_ time: Double, fraction: Bool = false) -> String {
        var seconds = time_t(time.rounded(.down))
        var parts = tm()
        localtime_r(&seconds, &parts)
        let base = String(format: "%02d:%02d:%02d", parts.tm_hour, parts.tm_min, parts.tm_sec)
        guard fraction else { return base }
        return base + String(format: ".%03d", Int((time - time.rounded(.down)) * 1000))
    }
}
