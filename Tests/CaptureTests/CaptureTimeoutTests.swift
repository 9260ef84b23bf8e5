@testable import Capture
import Foundation
import Testing

@Suite("libpcap capture")
struct CaptureTimeoutTests {
    @Test("next() returns nil after its timeout when nothing arrives (needs CAP_NET_RAW; skipped without)")
    func timeoutWithoutPackets() throws {
        // Port 9 on lo: nothing sends there during the test.
        guard let capture = try? PacketCapture(interface: "lo", filter: "udp and port 9", direction: .incoming,
                                               timeoutMilliseconds: 200) else { return }
        let box = CaptureBox(capture)
        let returned = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            _ = try? box.capture.next()
            returned.signal()
        }
        // Before the fix, libpcap's immediate mode ignored the timeout and next() blocked until a packet came.
        #expect(returned.wait(timeout: .now() + 3) == .success, "next() still blocked after 3 s")
    }
}

/// Hands the capture to the reading thread.
private final class CaptureBox: @unchecked Sendable {
    let capture: PacketCapture
    init(_ capture: PacketCapture) { self.capture = capture }
}
