import BootTimeline
import Values
import Dashboard
import Testing

@Suite("Dashboard: waterfall")
struct WaterfallTests {
    @Test("a DHCP request and its reply make one bar; a file's bar ends when it was recorded and lasts its transfer")
    func bars() {
        let bars = Waterfall.bars([
            BootEvent(time: 10, .dhcpRequest(type: .discover, client: .init(.pxeFirmware(.bios)), broadcast: false)),
            BootEvent(time: 10.5, .dhcpReply(.init(type: .offer, address: IPv4Address("10.0.0.11"),
                                                   bootfile: "pxelinux.0", delivery: .broadcast))),
            BootEvent(time: 12, .file(.init(path: "alpha/vmlinuz", via: .http, bytes: 8_283_750, duration: 0.243,
                                            status: .http(code: 200, complete: true)))),
            BootEvent(time: 13, .file(.init(path: "pxelinux.cfg/x", via: .tftp,
                                            status: .refused(code: 1, message: "file not found")))),
            BootEvent(time: 14, .dhcpRequest(type: .request, client: .init(.vendorClass("udhcp 1.35.0")),
                                             broadcast: false)),
            BootEvent(time: 15, .power(action: .on, failure: nil)),
        ])
        #expect(bars.map(\.step) == ["DISCOVER → OFFER 10.0.0.11", "alpha/vmlinuz", "pxelinux.cfg/x", "REQUEST", "on"])
        #expect(bars.map(\.service) == [.dhcp, .http, .tftp, .dhcp, .power])
        #expect(bars[0].start == 10 && bars[0].end == 10.5)
        #expect(bars[0].detail == "PXE firmware, BIOS; bootfile pxelinux.0, broadcast")
        #expect(abs(bars[1].start - 11.757) < 1e-9 && bars[1].end == 12)
        #expect(bars[1].bytes == 8_283_750)
        #expect(bars[1].detail == "HTTP 200, 7.9 MiB in 243 ms (34.1 MB/s)")
        #expect(bars[2].failed && bars[2].start == bars[2].end && bars[2].bytes == nil)
        #expect(bars[2].detail == "file not found")
        #expect(bars[3].start == 14 && bars[3].end == 14)
    }

    @Test("sizes and durations come from the transfer; no size for a refusal, a HEAD, an error page")
    func figures() {
        func bar(_ via: BootEvent.FileTransfer.Via, bytes: Int, seconds: Double,
                 _ status: BootEvent.FileTransfer.Status) -> WaterfallBar {
            Waterfall.bars([BootEvent(time: 5, .file(.init(path: "x", via: via, bytes: bytes, duration: seconds,
                                                           status: status)))])[0]
        }
        let tftp = bar(.tftp, bytes: 43_008, seconds: 1.5, .sent)
        #expect(tftp.bytes == 43008 && tftp.start == 3.5 && tftp.detail == "42.0 KiB in 1.5 s")
        let small = bar(.tftp, bytes: 512, seconds: 0.003, .sent)
        #expect(small.bytes == 512 && abs(small.end - small.start - 0.003) < 1e-9)
        let headers = bar(.http, bytes: 0, seconds: 0.001, .http(code: 200, complete: true))
        #expect(headers.bytes == nil && headers.detail == "HTTP 200 (headers only)")
        let missing = bar(.http, bytes: 30, seconds: 0.001, .http(code: 404, complete: true))
        #expect(missing.bytes == nil && missing.failed && missing.detail == "HTTP 404")
        let lost = bar(.http, bytes: 2 << 20, seconds: 1, .http(code: 200, complete: false))
        #expect(lost.bytes == 2 << 20 && lost.failed)
        #expect(lost.detail == "HTTP 200, 2.0 MiB in 1.0 s (2.1 MB/s), connection lost before the end")
    }
}
