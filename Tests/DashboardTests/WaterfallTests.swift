import BootTimeline
import Dashboard
import Testing

@Suite("Dashboard: waterfall")
struct WaterfallTests {
    @Test("a DHCP request and its reply make one bar; a file's bar ends when it was recorded and lasts its transfer")
    func bars() {
        let bars = Waterfall.bars([
            BootEvent(time: 10, service: .dhcp, step: "DISCOVER", detail: "PXE firmware, BIOS", startsBoot: true),
            BootEvent(time: 10.5, service: .dhcp, step: "OFFER 10.0.0.11", detail: "bootfile pxelinux.0, broadcast"),
            BootEvent(time: 12, service: .http, step: "alpha/vmlinuz", detail: "HTTP 200, 7.9 MiB in 243 ms (33.9 MB/s)"),
            BootEvent(time: 13, service: .tftp, step: "pxelinux.cfg/x", detail: "file not found", outcome: .failed),
            BootEvent(time: 14, service: .dhcp, step: "REQUEST", detail: "udhcp 1.35.0"),
            BootEvent(time: 15, service: .power, step: "power on"),
        ])
        #expect(bars.map(\.step) == ["DISCOVER → OFFER 10.0.0.11", "alpha/vmlinuz", "pxelinux.cfg/x", "REQUEST",
                                     "power on"])
        #expect(bars[0].start == 10 && bars[0].end == 10.5)
        #expect(bars[0].detail == "PXE firmware, BIOS; bootfile pxelinux.0, broadcast")
        #expect(abs(bars[1].start - 11.757) < 1e-9 && bars[1].end == 12)
        #expect(bars[1].bytes == Int((7.9 * 1_048_576).rounded()))
        #expect(bars[2].failed && bars[2].start == bars[2].end)
        #expect(bars[3].start == 14 && bars[3].end == 14)
    }

    @Test("sizes and durations as the servers write them")
    func figures() {
        let tftp = Waterfall.bars([BootEvent(time: 5, service: .tftp, step: "pxelinux.0", detail: "42.0 KiB in 1.5 s")])
        #expect(tftp[0].bytes == 43008 && tftp[0].start == 3.5)
        let small = Waterfall.bars([BootEvent(time: 5, service: .tftp, step: "x", detail: "512 B in 3 ms")])
        #expect(small[0].bytes == 512 && abs(small[0].end - small[0].start - 0.003) < 1e-9)
        let headers = Waterfall.bars([BootEvent(time: 5, service: .http, step: "x", detail: "HTTP 200 (headers only)")])
        #expect(headers[0].bytes == nil && headers[0].start == 5)
    }
}
