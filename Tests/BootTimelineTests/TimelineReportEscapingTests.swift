import BootTimeline
import Testing

/// `netroot status` draws whatever the timeline holds escaped: no event, whoever recorded it, moves the cursor,
/// clears the screen or starts a line of its own.
@Suite struct TimelineReportEscapingTests {
    static let hostile = ClientTimeline(client: "52:54:00:c0:ff:01\u{1b}[2J", mac: "52:54:00:c0:ff:01",
                                        address: "10.0.0.11\u{9b}1A", events: [
        BootEvent(time: 1_000, .dhcpRequest(type: .discover, client: .init(.vendorClass("udhcp\u{1b}[1A\u{1b}[2K")),
                                            broadcast: false)),
        BootEvent(time: 1_001, .file(.init(path: "x\n2026-01-01T00:00:00 notice netroot : netroot ready", via: .tftp,
                                           status: .refused(code: 1, message: "file not found\u{202e}")))),
    ])

    static func controls(_ text: String) -> [Unicode.Scalar] {
        text.unicodeScalars.filter { ($0.value < 0x20 && $0 != "\n") || (0x7f...0x9f).contains($0.value)
            || $0 == "\u{202e}" }
    }

    @Test func theTableEscapesEveryCell() {
        let text = TimelineReport.table([Self.hostile], now: 1_010)
        #expect(Self.controls(text).isEmpty)
        #expect(text.split(separator: "\n").count == 2)
        #expect(text.contains("52:54:00:c0:ff:01\\x1b[2J"))
        #expect(text.contains("10.0.0.11\\x9b1A"))
        #expect(text.contains("tftp x\\x0a2026-01-01T00:00:00 notice netroot : netroot ready (failed)"))
    }

    @Test func oneClientsTimelineEscapesItsHeaderAndSteps() {
        let text = TimelineReport.timeline(Self.hostile)
        #expect(Self.controls(text).isEmpty)
        // A header line, the column titles, two steps: no forged line.
        #expect(text.split(separator: "\n").count == 4)
        #expect(text.contains("udhcp\\x1b[1A\\x1b[2K"))
        #expect(text.contains("FAILED file not found\\u{202e}"))
        #expect(!text.contains("\nnetroot") && !text.contains("\n2026"))
    }

    @Test func plainTimelinesAreDrawnAsBefore() {
        let plain = ClientTimeline(client: "node1", mac: "52:54:00:c0:ff:01", events: [
            BootEvent(time: 1_000, .file(.init(path: "pxelinux.0", via: .tftp, bytes: 47_309, duration: 0.012,
                                               status: .sent))),
        ])
        #expect(TimelineReport.timeline(plain).contains("pxelinux.0  46.2 KiB in 12 ms"))
    }
}
