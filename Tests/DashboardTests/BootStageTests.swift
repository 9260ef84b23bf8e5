import BootTimeline
import Values
import Dashboard
import Testing

@Suite("Dashboard: boot stages")
struct BootStageTests {
    private func power(_ time: Double) -> BootEvent { BootEvent(time: time, .power(action: .on, failure: nil)) }

    private func request(_ time: Double, _ type: BootEvent.DHCPType, firmware: Bool) -> BootEvent {
        BootEvent(time: time, .dhcpRequest(type: type, client: .init(firmware ? .pxeFirmware(.bios)
                                                                              : .vendorClass("udhcp 1.35.0")),
                                           broadcast: false))
    }

    private func reply(_ time: Double, _ type: BootEvent.ReplyType) -> BootEvent {
        BootEvent(time: time, .dhcpReply(.init(type: type, address: IPv4Address("10.0.0.11"), delivery: .broadcast)))
    }

    private func file(_ time: Double, _ via: BootEvent.FileTransfer.Via, _ path: String,
                      failed: Bool = false) -> BootEvent {
        let status: BootEvent.FileTransfer.Status = switch via {
        case .tftp: failed ? .refused(code: 1, message: "file not found") : .sent
        case .http: .http(code: failed ? 404 : 200, complete: true)
        }
        return BootEvent(time: time, .file(.init(path: path, via: via, bytes: 1024, duration: 0.005, status: status)))
    }

    @Test("a whole pxelinux boot walks every stage, each with the time it was entered")
    func wholeBoot() {
        let steps = [power(1), request(20, .discover, firmware: true),
                     reply(20.1, .ack), file(21, .tftp, "pxelinux.0"),
                     file(21.2, .tftp, "ldlinux.c32"), file(21.3, .tftp, "pxelinux.cfg/01-52-54-00-00-00-01"),
                     file(22, .tftp, "tiny/vmlinuz"), file(23, .tftp, "tiny/initrd.gz"),
                     request(30, .discover, firmware: false), reply(30.1, .offer),
                     request(30.2, .request, firmware: false), reply(30.3, .ack)]
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
        let steps = [file(1, .http, "ipxe/01-52-54-00-00-00-01.ipxe"), file(2, .http, "alpha/vmlinuz"),
                     file(3, .http, "alpha/initrd.gz"), request(9, .discover, firmware: false)]
        #expect(BootStage.read(steps, now: 10).stage == .initrd)
        #expect(BootStage.read(steps + [reply(9.5, .ack)], now: 10).stage == .booted)
    }

    @Test("a failed last step is failed; a quiet boot short of booted turns silent, a booted one stays booted")
    func failedAndSilent() {
        let missing = [reply(1, .ack), file(2, .tftp, "pxelinux.0", failed: true)]
        #expect(BootStage.read(missing, now: 3).stage == .failed)
        #expect(BootStage.read(missing, now: 3).since == 2)
        let quiet = [reply(1, .ack), file(2, .tftp, "pxelinux.0")]
        #expect(BootStage.read(quiet, now: 2 + BootStage.silentAfter - 1).stage == .bootLoader)
        #expect(BootStage.read(quiet, now: 2 + BootStage.silentAfter + 1).stage == .silent)
        let booted = [file(1, .tftp, "vmlinuz"), reply(2, .ack)]
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
