import BootTimeline
import Dashboard
import Testing

@Suite("Dashboard: boot stages")
struct BootStageTests {
    private func event(_ time: Double, _ service: BootEvent.Service, _ step: String, _ detail: String = "",
                       failed: Bool = false) -> BootEvent {
        BootEvent(time: time, service: service, step: step, detail: detail, outcome: failed ? .failed : .ok,
                  startsBoot: step == "power on" || step == "DISCOVER" && detail.hasPrefix("PXE firmware"))
    }

    @Test("a whole pxelinux boot walks every stage, each with the time it was entered")
    func wholeBoot() {
        let steps = [event(1, .power, "power on"), event(20, .dhcp, "DISCOVER", "PXE firmware, BIOS"),
                     event(20.1, .dhcp, "ACK 10.0.0.11"), event(21, .tftp, "pxelinux.0", "42.0 KiB in 5 ms"),
                     event(21.2, .tftp, "ldlinux.c32"), event(21.3, .tftp, "pxelinux.cfg/01-52-54-00-00-00-01"),
                     event(22, .tftp, "tiny/vmlinuz", "7.9 MiB in 1.2 s"), event(23, .tftp, "tiny/initrd.gz"),
                     event(30, .dhcp, "DISCOVER", "udhcp 1.35.0"), event(30.1, .dhcp, "OFFER 10.0.0.11"),
                     event(30.2, .dhcp, "REQUEST", "udhcp 1.35.0"), event(30.3, .dhcp, "ACK 10.0.0.11")]
        let expected: [(Int, BootStage, Double?)] = [(0, .unseen, nil), (1, .poweredOn, 1), (2, .dhcp, 20),
                                                     (4, .bootLoader, 21), (6, .bootLoader, 21), (7, .kernel, 22),
                                                     (8, .initrd, 23), (11, .initrd, 23), (12, .booted, 30.3)]
        for (count, stage, since) in expected {
            let read = BootStage.read(Array(steps.prefix(count)), kernel: "tiny/vmlinuz", initrd: "tiny/initrd.gz",
                                      now: 31)
            #expect(read.stage == stage, "after \(count) steps")
            #expect(read.since == since, "after \(count) steps")
        }
    }

    @Test("the initramfs's DISCOVER alone is not booted yet; its ACK is")
    func askedAgain() {
        let steps = [event(1, .http, "ipxe/01-52-54-00-00-00-01.ipxe"), event(2, .http, "alpha/vmlinuz"),
                     event(3, .http, "alpha/initrd.gz"), event(9, .dhcp, "DISCOVER", "udhcp 1.35.0")]
        #expect(BootStage.read(steps, now: 10).stage == .initrd)
        #expect(BootStage.read(steps + [event(9.5, .dhcp, "ACK 10.0.0.11")], now: 10).stage == .booted)
    }

    @Test("a failed last step is failed; a quiet boot short of booted turns silent, a booted one stays booted")
    func failedAndSilent() {
        let missing = [event(1, .dhcp, "ACK 10.0.0.11"), event(2, .tftp, "pxelinux.0", "file not found", failed: true)]
        #expect(BootStage.read(missing, now: 3).stage == .failed)
        #expect(BootStage.read(missing, now: 3).since == 2)
        let quiet = [event(1, .dhcp, "ACK 10.0.0.11"), event(2, .tftp, "pxelinux.0")]
        #expect(BootStage.read(quiet, now: 2 + BootStage.silentAfter - 1).stage == .bootLoader)
        #expect(BootStage.read(quiet, now: 2 + BootStage.silentAfter + 1).stage == .silent)
        let booted = [event(1, .tftp, "vmlinuz"), event(2, .dhcp, "ACK 10.0.0.11")]
        #expect(BootStage.read(booted, now: 10_000).stage == .booted)
    }

    @Test("files of a client nodes.yaml does not know are told apart by name")
    func fileNames() {
        #expect(BootStage.fileStage("images/x/vmlinuz-6.1.0", kernel: nil, initrd: nil) == .kernel)
        #expect(BootStage.fileStage("x/initrd.img", kernel: nil, initrd: nil) == .initrd)
        #expect(BootStage.fileStage("pxelinux.0", kernel: nil, initrd: nil) == .bootLoader)
        #expect(BootStage.fileStage("undionly.kpxe", kernel: nil, initrd: nil) == .bootLoader)
        #expect(BootStage.fileStage("a/k", kernel: "a/k", initrd: "a/i") == .kernel)
        #expect(BootStage.fileStage("a/vmlinuz", kernel: "a/k", initrd: "a/i") == .bootLoader)
    }
}
