import BootTimeline
@testable import Diagnostics
@testable import Inventory
import Testing

/// The doctor on Secure Boot's refusals, seen from the servers' side: the firmware fetched its loader and asked
/// DHCP again; shim fetched GRUB and nothing followed; GRUB fetched the kernel and never the initrd. And an
/// ARM64 node on a path with no loader for it.
@Suite struct SecureBootDoctorTests {
    let inventory: Inventory = {
        let text = """
            server: {interface: br0, tftp_root: /srv/tftp}
            networks: {lan: {subnet: 10.0.0.0/24}}
            images:
              tiny: {kernel: tiny/vmlinuz, initrd: tiny/initrd.gz, boot: grub, secure_boot: true}
              plain: {kernel: tiny/vmlinuz, initrd: tiny/initrd.gz, boot: ipxe}
            nodes:
              n1: {mac: "52:54:00:00:00:01", ip: 10.0.0.11, image: tiny}
              n2: {mac: "52:54:00:00:00:02", ip: 10.0.0.12, image: plain}
              n3: {mac: "52:54:00:00:00:03", ip: 10.0.0.13, image: tiny, boot: pxelinux, secure_boot: false}
            """
        return InventoryLoader.parse(text: text, file: "nodes.yaml", baseDirectory: "/", fileExists: { _ in true })
            .inventory!
    }()

    private func firmware(_ time: Double, _ type: BootEvent.DHCPType, architecture: UInt16 = 7) -> BootEvent {
        let firmware: BootEvent.Firmware = architecture == 11 ? .arm64(architecture: 11) : .uefi(architecture: architecture)
        return BootEvent(time: time, .dhcpRequest(type: type, client: .init(.pxeFirmware(firmware)), broadcast: true))
    }

    private func ack(_ time: Double, bootfile: String?) -> BootEvent {
        BootEvent(time: time, .dhcpReply(.init(type: .ack, address: IPv4Address("10.0.0.11"), bootfile: bootfile,
                                               delivery: .broadcast)))
    }

    private func tftp(_ time: Double, _ path: String, found: Bool = true) -> BootEvent {
        BootEvent(time: time, .file(.init(path: path, via: .tftp, bytes: found ? 900_000 : 0, duration: 0.2,
                                          status: found ? .sent : .refused(code: 1, message: "file not found"))))
    }

    private func http(_ time: Double, _ path: String) -> BootEvent {
        BootEvent(time: time, .file(.init(path: path, via: .http, bytes: 8_000_000, duration: 0.3,
                                          status: .http(code: 200, complete: true))))
    }

    private func diagnose(_ node: String, _ events: [BootEvent], now: Double = 100) -> [String] {
        let profile = inventory.profile(named: node)!
        return BootDoctor.diagnose(.init(query: node, profile: profile),
                                   timeline: ClientTimeline(client: node, mac: "\(profile.mac)", events: events),
                                   rogues: [], now: now, serverStarted: 0)
    }

    private func shimChain(_ start: Double) -> [BootEvent] {
        [firmware(start, .discover), firmware(start + 0.1, .request), ack(start + 0.2, bootfile: "bootx64.efi"),
         tftp(start + 1, "bootx64.efi"), tftp(start + 2, "revocations_sku.efi", found: false),
         tftp(start + 2.1, "revocations_sbat.efi", found: false), tftp(start + 3, "grubx64.efi")]
    }

    @Test func theFirmwareRefusingAnUnsignedLoaderIsNamed() {
        let events = [firmware(0, .discover), firmware(0.1, .request), ack(0.2, bootfile: "snponly.efi"),
                      tftp(1, "snponly.efi"), firmware(4, .discover)]
        let findings = diagnose("n2", events)
        #expect(findings.count == 1)
        #expect(findings[0].hasPrefix("Secure Boot refused snponly.efi: the firmware fetched it 1 min ago and asked "
                                      + "DHCP again instead of running it"), "\(findings)")
        #expect(findings[0].contains("set boot: grub"))
        // A chain-loaded iPXE asks DHCP again as iPXE: that is a boot going on, not a refusal.
        var ipxe = events
        ipxe[4] = BootEvent(time: 4, .dhcpRequest(type: .discover, client: .init(.pxeFirmware(.uefi(architecture: 7)),
                                                                                 ipxe: true), broadcast: false))
        #expect(diagnose("n2", ipxe).first?.contains("Secure Boot") == false)
    }

    @Test func shimRefusingGRUBIsNamedAndItsProbesAreNotFailures() {
        let refused = shimChain(0) + [firmware(6, .discover)]
        let findings = diagnose("n1", refused)
        #expect(findings.count == 1)
        #expect(findings[0].hasPrefix("Secure Boot refused grubx64.efi: shim fetched it 1 min ago and loaded "
                                      + "nothing after it"), "\(findings)")
        // Still waiting, shortly after: not yet a verdict.
        #expect(diagnose("n1", shimChain(0), now: 10).first?.contains("Secure Boot") == false)
    }

    @Test func aCompleteGRUBBootIsBootedWhateverShimAndGRUBLookedFor() {
        let booted = shimChain(0) + [
            tftp(4, "grub/x86_64-efi/grub.cfg"), tftp(4.1, "grub/grub.cfg-52:54:00:00:00:01"),
            tftp(4.2, "grub/x86_64-efi/command.lst", found: false),
            http(5, "tiny/vmlinuz"), http(6, "tiny/initrd.gz"),
            BootEvent(time: 9, .dhcpRequest(type: .discover, client: .init(.vendorClass("udhcp 1.35.0")),
                                            broadcast: false)),
            ack(9.5, bootfile: nil),
        ]
        let findings = diagnose("n1", booted)
        #expect(findings.count == 1)
        #expect(findings[0].hasPrefix("booted to its initramfs"), "\(findings)")
    }

    @Test func grubRefusingTheKernelIsNamedForASecureBootNode() {
        let refused = shimChain(0) + [tftp(4, "grub/grub.cfg"), tftp(4.1, "grub/grub.cfg-52:54:00:00:00:01"),
                                      http(5, "tiny/vmlinuz"), firmware(8, .discover)]
        let findings = diagnose("n1", refused)
        #expect(findings.first?.hasPrefix("Secure Boot refused the kernel tiny/vmlinuz: GRUB fetched it") == true,
                "\(findings)")
    }

    @Test func anARM64NodeWithoutALoaderIsToldWhichKeyToSet() {
        let events = [firmware(0, .discover, architecture: 11), firmware(0.1, .request, architecture: 11),
                      ack(0.2, bootfile: nil)]
        let findings = diagnose("n3", events)
        #expect(findings.count == 1)
        #expect(findings[0].hasPrefix("the firmware got its address 1 min ago but no boot loader: netroot has no "
                                      + "boot loader for ARM64 UEFI (client architecture 11) with boot: pxelinux"),
                "\(findings)")
        #expect(findings[0].contains("set boot: grub on the node, its group or its image"))
    }
}
