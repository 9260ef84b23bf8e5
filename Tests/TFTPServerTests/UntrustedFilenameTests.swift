import BootTimeline
import Foundation
import TFTP
import Testing
@testable import TFTPServer

/// A TFTP file name is the client's text: log lines and the boot timeline show it escaped, so a name holding a
/// newline cannot forge a `netroot ready` line and an escape sequence cannot clear the screen.
@Suite(.serialized) struct UntrustedFilenameTests {
    static let forged = "missing.img\n2026-01-01T00:00:00+0000 notice netroot : netroot ready: serving 3 nodes\u{1b}[2J"

    @Test func theShownNameIsTheRequestsBytesEscaped() {
        let request = TFTPPacket.readRequest(filename: Self.forged, mode: "octet", options: []).encoded
        #expect(RequestProcessor.shownFilename(ArraySlice(request))
                == "missing.img\\x0a2026-01-01T00:00:00+0000 notice netroot : netroot ready: serving 3 nodes\\x1b[2J")
        // Bytes that are not UTF-8 are shown as they came, not as U+FFFD.
        let raw: [UInt8] = [0, 1] + Array("a".utf8) + [0xff, 0xc0] + [0] + Array("octet".utf8) + [0]
        #expect(RequestProcessor.shownFilename(ArraySlice(raw)) == "a\\xff\\xc0")
        #expect(RequestProcessor.shownFilename(ArraySlice([0, 1] + Array("pxelinux.0".utf8) + [0]))
                == "pxelinux.0")
    }

    @Test func aRefusedRequestReachesTheTimelineEscaped() throws {
        let harness = try RequestHarness()
        let client = try harness.client()
        harness.request(RequestProcessorTests.rrq(Self.forged), from: client)
        let answer = harness.receive(on: client)
        #expect(RequestProcessorTests.errorCode(answer?.packet) == TFTPErrorCode.fileNotFound.rawValue)
        let events = harness.timeline.snapshot().flatMap(\.events)
        let event = try #require(events.first)
        #expect(event.file?.path
                == "missing.img\\x0a2026-01-01T00:00:00+0000 notice netroot : netroot ready: serving 3 nodes\\x1b[2J")
        #expect(event.outcome == .failed)
        let table = TimelineReport.table(harness.timeline.snapshot(), now: Date().timeIntervalSince1970)
        #expect(!table.utf8.contains(0x1b))
        #expect(table.split(separator: "\n").count == 2)
    }
}
