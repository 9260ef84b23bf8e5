import BootTimeline
import Inventory

/// What Secure Boot refusing a loader looks like from the servers' side (pure): UEFI firmware fetched its loader
/// and asked DHCP again instead of running it; shim fetched GRUB and nothing followed; GRUB fetched the kernel
/// and never the initrd. The firmware says why only on its own console, so this is the one place it is named.
enum SecureBootRefusal {
    /// The finding, or nil when the boot shows none of these.
    static func find(events: [BootEvent], firmwareAck: BootEvent, profile: BootProfile?, now: Double,
                     stallAfter: Double) -> String? {
        guard isUEFI(events), let bootfile = firmwareAck.reply?.bootfile else { return nil }
        let loader = bootfile.hasPrefix("http://") || bootfile.hasPrefix("https://")
            ? String(bootfile.split(separator: "/", omittingEmptySubsequences: true).dropFirst(2)
                .joined(separator: "/"))
            : bootfile
        let after = events.filter { $0.time >= firmwareAck.time }
        guard let loaderIndex = after.firstIndex(where: { $0.file?.path == loader && $0.file?.bytesDelivered != nil })
        else { return nil }
        let rest = after[(loaderIndex + 1)...]
        // Files actually delivered after the loader (a probe answered "not found" loads nothing).
        let delivered = rest.filter { $0.file?.bytesDelivered != nil }
        let restart = rest.first(where: isFirmwareRestart)
        let ago = TimelineReport.ago(now - after[loaderIndex].time)

        if let restart, !delivered.contains(where: { $0.time < restart.time }) {
            return "Secure Boot refused \(loader): the firmware fetched it \(ago) and asked DHCP again instead of "
                + "running it, as UEFI does with a loader that is not signed by a key in its db "
                + (loader.hasSuffix("syslinux.efi") || loader.hasSuffix("snponly.efi") || loader.hasSuffix("ipxe.efi")
                    ? "(syslinux.efi and Debian's iPXE are not signed): set boot: grub"
                    : "(is it the signed shim? images/install-bootloaders installs it)")
        }
        guard let grub = delivered.first(where: {
            LoaderFiles.shimSecondStages.contains(String($0.file!.path.split(separator: "/").last ?? ""))
        }) else { return nil }
        let afterGRUB = rest.filter { $0.time > grub.time }
        let configRead = afterGRUB.contains { $0.file?.path.hasPrefix("grub/") == true && $0.file?.succeeded == true }
        let stopped = afterGRUB.contains(where: isFirmwareRestart) || now - grub.time >= stallAfter
        if !configRead, stopped, grub.file!.via == .http {
            return "GRUB (\(grub.file!.path)) came by UEFI HTTP boot \(TimelineReport.ago(now - grub.time)) and read "
                + "nothing after it: Debian 12's signed GRUB has no http module, so it cannot read its config over "
                + "HTTP (it waits at a grub> prompt); boot this node by UEFI PXE instead (PXEv4 before HTTPv4 in the "
                + "firmware's boot order)"
        }
        if !configRead, stopped {
            return "Secure Boot refused \(grub.file!.path): shim fetched it \(TimelineReport.ago(now - grub.time)) "
                + "and loaded nothing after it: shim starts only a GRUB signed by a key it trusts (the "
                + "distribution's, or one enrolled with mokutil); install Debian's signed network GRUB "
                + "(images/install-bootloaders)"
        }
        guard let profile, profile.secureBoot.value, let kernel = profile.kernel?.value,
              let initrd = profile.initrd?.value,
              let kernelFetch = afterGRUB.last(where: { $0.file?.path == kernel && $0.file?.bytesDelivered != nil }),
              !afterGRUB.contains(where: { $0.time > kernelFetch.time && $0.file?.path == initrd }),
              afterGRUB.contains(where: { $0.time > kernelFetch.time && isFirmwareRestart($0) })
                || now - kernelFetch.time >= stallAfter else { return nil }
        return "Secure Boot refused the kernel \(kernel): GRUB fetched it \(TimelineReport.ago(now - kernelFetch.time)) "
            + "and never the initrd \(initrd): through shim, GRUB starts only a kernel signed by a key shim trusts; "
            + "use the distribution's signed kernel (netroot check warns about an unsigned one)"
    }

    /// The boot's first firmware request came from UEFI (PXE or HTTP boot): only UEFI enforces Secure Boot.
    private static func isUEFI(_ events: [BootEvent]) -> Bool {
        guard let firmware = BootDoctor.firstFirmwareRequest(events) else { return false }
        return firmware.httpBoot || [7, 9, 11, 16, 19].contains(firmware.architecture)
    }

    /// The firmware's own DHCP again (not iPXE's, which a chain-loaded iPXE sends): it went on to its next boot
    /// option.
    private static func isFirmwareRestart(_ event: BootEvent) -> Bool {
        guard case .dhcpRequest(.discover, let client, _) = event.step, !client.ipxe else { return false }
        if client.isPXEFirmware { return true }
        if case .vendorClass(let vendor) = client.sender { return vendor.hasPrefix("HTTPClient") }
        return false
    }
}
