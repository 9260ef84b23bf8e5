import CSyscalls
import Foundation

/// The kernel and initrd an image boots with, found in its /boot and copied to `tftp_root/NAME/`.
enum BootFiles {
    /// Paths relative to tftp_root.
    static func install(from rootfs: String, kernel: String?, initrd: String?, into tftpRoot: String,
                        image: String) throws -> (kernel: String, initrd: String?) {
        let (kernelSource, initrdSource) = try choose(in: rootfs, kernel: kernel, initrd: initrd)
        let directory = tftpRoot + "/" + image
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try copy(kernelSource, to: directory + "/vmlinuz")
        if let initrdSource { try copy(initrdSource, to: directory + "/initrd.img") }
        return (image + "/vmlinuz", initrdSource.map { _ in image + "/initrd.img" })
    }

    /// The files to copy, as host paths: given ones (inside the image when they exist there, else on the
    /// host), else the newest `vmlinuz-VERSION` in the image's /boot and its `initrd.img-VERSION`
    /// (or `initramfs-VERSION.img`).
    static func choose(in rootfs: String, kernel: String?, initrd: String?) throws -> (String, String?) {
        func located(_ path: String) throws -> String {
            let inside = rootfs + "/" + path.drop { $0 == "/" }
            if FileManager.default.fileExists(atPath: inside) { return inside }
            if FileManager.default.fileExists(atPath: path) { return path }
            throw ArchiveError("\(path) exists neither in the image nor on this host")
        }
        if let kernel { return (try located(kernel), try initrd.map(located)) }
        let boot = rootfs + "/boot"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: boot)) ?? []
        let kernels = names.filter { $0.hasPrefix("vmlinuz-") }
            .sorted { $0.compare($1, options: .numeric) == .orderedAscending }
        guard let newest = kernels.last else {
            throw ArchiveError("the image has no /boot/vmlinuz-*; name the kernel with --kernel (and --initrd)")
        }
        let version = String(newest.dropFirst("vmlinuz-".count))
        let initrdName = initrd ?? ["initrd.img-\(version)", "initramfs-\(version).img"].first { names.contains($0) }
        return (boot + "/" + newest, try initrdName.map { initrd == nil ? boot + "/" + $0 : try located($0) })
    }

    /// Written beside the target and renamed over it, so TFTP never serves half a kernel.
    private static func copy(_ source: String, to target: String) throws {
        let temporary = target + ".new.\(getpid())"
        try? FileManager.default.removeItem(atPath: temporary)
        do {
            try FileManager.default.copyItem(atPath: source, toPath: temporary)
        } catch {
            throw ArchiveError("cannot copy \(source): \(error.localizedDescription)")
        }
        chmod(temporary, 0o644)
        guard rename(temporary, target) == 0 else {
            throw ArchiveError("cannot move \(target) into place: \(String(cString: strerror(errno)))")
        }
    }
}
