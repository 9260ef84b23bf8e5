import ArgumentParser
import Foundation
import ImageImport
import Inventory
import NetworkSupport

/// `netroot image import`: a container image or root tarball becomes a bootable, exportable image.
struct ImageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image",
        abstract: "Import node images from container images or root filesystem tarballs.",
        subcommands: [ImportImage.self]
    )
}

/// `netroot image import NAME SOURCE`.
struct ImportImage: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Unpack a root into state_dir/images/NAME/rootfs and its kernel and initrd into tftp_root/NAME/.",
        discussion: """
            SOURCE is a root filesystem tarball (docker export, tar -C root .), plain or gzipped, or an image \
            archive from docker save or an OCI image layout as a tar: layers are applied in order, with \
            whiteouts and opaque directories. Modes, owners, symlinks, hard links and device nodes are kept; \
            members that would land outside the root are refused. A re-import swaps the new root in at once.

            Examples:
              docker export $(docker create debian:12) > debian12.tar
              netroot image import debian12 debian12.tar
              docker save -o rocky9.tar rockylinux:9 && netroot image import rocky9 rocky9.tar --write
              netroot image import tiny tiny.tar --kernel /srv/kernels/vmlinuz --initrd /srv/kernels/initrd.img
            """
    )

    @Argument(help: ArgumentHelp("The image's name in nodes.yaml.", valueName: "NAME"))
    var name: String

    @Argument(help: ArgumentHelp("A root filesystem tarball, a docker save archive or an OCI layout tar.",
                                 valueName: "SOURCE"))
    var source: String

    @Option(help: ArgumentHelp("The kernel, inside the image or on this host (default: the newest in /boot).",
                               valueName: "PATH"))
    var kernel: String?

    @Option(help: ArgumentHelp("The initrd, inside the image or on this host.", valueName: "PATH"))
    var initrd: String?

    @Flag(help: "Add the image's entry to nodes.yaml (kept as it is when the image is already there).")
    var write = false

    @OptionGroup var options: ConfigOption

    func validate() throws {
        guard Names.isHostLabel(name) else {
            throw ValidationError("'\(name)' is not a valid image name (letters, digits and inner hyphens)")
        }
    }

    func run() throws {
        let server = try options.loadServerSettings(
            failure: "netroot: cannot read server.state_dir and server.tftp_root from \(options.path)").server
        var importer = ImageImporter(name: name, source: source, stateDirectory: server.stateDirectory,
                                     tftpRoot: server.tftpRoot)
        importer.kernel = kernel
        importer.initrd = initrd
        let bar = ProgressBar()
        importer.progress = { done, total in bar.show(done, of: total) }
        let summary: ImageImporter.Summary
        do {
            summary = try importer.run()
        } catch let error as ArchiveError {
            bar.finish()
            printError("netroot: cannot import \(source): \(error)")
            throw ExitCode(1)
        }
        bar.finish()
        print("imported \(name) from \(source) (\(summary.format), \(summary.layers) layer\(summary.layers == 1 ? "" : "s")): "
              + "\(summary.files) files, \(summary.directories) directories, \(summary.links) links, "
              + "\(summary.devices) device nodes, \(summary.bytes / 1024) KiB")
        print("  root:   \(summary.rootfs)")
        print("  kernel: \(server.tftpRoot)/\(summary.kernel)")
        if let initrd = summary.initrd { print("  initrd: \(server.tftpRoot)/\(initrd)") }

        let address = server.address.map { "\($0)" }
            ?? (try? InterfaceInfo.lookup(server.interface).addresses.first).flatMap { $0.map { "\($0)" } } ?? "SERVER"
        var entry = ["\(name):", "  kernel: \(summary.kernel)"]
        if let initrd = summary.initrd { entry.append("  initrd: \(initrd)") }
        entry += ["  root_path: nfs:\(address):/images/\(name)", "  export: nfs", "  cmdline: root=dhcp ro"]
        guard write else {
            print("\nAdd this under images: in \(options.path) (or import again with --write):\n")
            entry.forEach { print("  " + $0) }
            return
        }
        try writeEntry(entry)
    }

    /// Adds the entry to nodes.yaml unless the image is there already, as every edit is made (`InventoryFileEdit`:
    /// locked, validated whole, replaced atomically); the file may be invalid before (its nodes may name this image)
    /// but not after.
    private func writeEntry(_ entry: [String]) throws {
        var present = false
        do {
            _ = try InventoryFileEdit(path: options.path).applyToText { text, loaded in
                if loaded.inventory?.images.contains(where: { $0.name == name }) == true {
                    present = true
                    return text
                }
                guard let edited = InventoryEditor.add(entry, toSection: "images", in: text) else {
                    printError("netroot: images: in \(options.path) is written in flow style; add the entry by hand")
                    throw ExitCode(1)
                }
                return edited
            }
        } catch let error as InventoryEditError where error.kind == .wouldBeInvalid {
            for diagnostic in error.diagnostics { printError(diagnostic.description) }
            printError("netroot: \(options.path) would not validate with the new entry; left unchanged")
            throw ExitCode(1)
        } catch let error as InventoryEditError {
            printError("netroot: \(error)")
            throw ExitCode(1)
        }
        print(present ? "\(options.path) already has image \(name); left as it is" : "added image \(name) to \(options.path)")
    }
}

/// A one-line progress bar on a terminal; silent otherwise (logs and pipes get only the summary).
final class ProgressBar {
    private let enabled = isatty(STDERR_FILENO) != 0
    private var lastDrawn = Date.distantPast
    private var drawn = false

    func show(_ done: Int64, of total: Int64) {
        guard enabled, total > 0, Date().timeIntervalSince(lastDrawn) > 0.1 else { return }
        lastDrawn = Date()
        let fraction = min(1, Double(done) / Double(total))
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled)
        FileHandle.standardError.write(Data(String(format: "\r[%@] %3d%%  %d / %d MiB", bar, Int(fraction * 100),
                                                   done >> 20, total >> 20).utf8))
        drawn = true
    }

    func finish() {
        if drawn { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
