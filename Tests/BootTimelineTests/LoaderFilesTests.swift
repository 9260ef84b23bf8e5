import BootTimeline
import Testing

/// The Secure Boot chain's files in the timeline: shim, GRUB and its configs are named; what shim and GRUB only
/// look for is "not there", not a failed step.
@Suite struct LoaderFilesTests {
    private func event(_ path: String, _ status: BootEvent.FileTransfer.Status, via: BootEvent.FileTransfer.Via = .tftp)
        -> BootEvent {
        BootEvent(time: 1, .file(.init(path: path, via: via, bytes: 950_000, duration: 0.41, status: status)))
    }

    @Test func shimGRUBAndTheConfigsAreNamed() {
        #expect(BootEventText.detail(event("bootx64.efi", .sent)) == "shim, 927.7 KiB in 410 ms")
        #expect(BootEventText.detail(event("grubaa64.efi", .sent)).hasPrefix("GRUB, loaded by shim, "))
        #expect(BootEventText.detail(event("grub/grub.cfg", .sent)).hasPrefix("GRUB's config dispatcher, "))
        #expect(BootEventText.detail(event("grub/x86_64-efi/grub.cfg", .sent)).hasPrefix("GRUB's config dispatcher, "))
        #expect(BootEventText.detail(event("grub/grub.cfg-52:54:00:00:00:01", .sent)).hasPrefix("the node's GRUB config, "))
        #expect(BootEventText.detail(event("alpha/vmlinuz", .sent)) == "927.7 KiB in 410 ms")
    }

    @Test func whatShimAndGRUBOnlyLookForIsNotAFailure() {
        let notFound = BootEvent.FileTransfer.Status.refused(code: 1, message: "file not found")
        for path in ["revocations_sbat.efi", "revocations_sku.efi", "shim_certificate_0.efi",
                     "grub/x86_64-efi/command.lst", "grub/locale/en.mo"] {
            let probe = event(path, notFound)
            #expect(probe.outcome == .ok, "\(path)")
            #expect(probe.file?.bytesDelivered == nil)
            #expect(BootEventText.detail(probe).hasSuffix(", not there (normal)"), "\(path)")
        }
        #expect(event("revocations_sbat.efi", .http(code: 404, complete: true), via: .http).outcome == .ok)
        // The loaders themselves, a kernel, or a probe refused for another reason are failures.
        #expect(event("grubx64.efi", notFound).outcome == .failed)
        #expect(event("alpha/vmlinuz", notFound).outcome == .failed)
        #expect(event("revocations_sbat.efi", .refused(code: 2, message: "access violation")).outcome == .failed)
    }
}
