import Yams

/// What `images:` declares, with what the cross-reference pass checks against the server.
struct ImagesSection {
    /// Every image name written, even when its settings had errors, so a reference to it raises no second,
    /// misleading error.
    var declared: Set<String> = []
    var images: [BootImage] = []
    /// Images with `export: nfs`, in file order (the first to claim an export path keeps it).
    var exports: [ExportRequest] = []
    /// Kernels and initrds named, to look for under tftp_root.
    var bootFiles: [BootFile] = []

    struct ExportRequest {
        var image: String
        /// Where `export: nfs` was written.
        var location: SourceLocation
        var rootPath: Located<RootPath>?
    }

    struct BootFile {
        var file: Located<String>
        /// `kernel` or `initrd`.
        var what: String
        var subject: String
    }
}

/// Reads `images:`: each image's kernel, initrd, root path, command line, export and its squashing.
struct ImagesSectionReader {
    let collector: DiagnosticCollector

    static let keys = ["kernel", "initrd", "root_path", "cmdline", "export", "nfs_squash", "boot", "secure_boot"]

    func read(_ section: Yams.Node?) -> ImagesSection {
        var result = ImagesSection()
        for (name, node) in collector.namedEntries(section, section: "images") {
            result.declared.insert(name.value)
            let subject = "image \(name.value)"
            if let breaker = LineBreaker.first(in: name.value) {
                collector.error(at: name.location, subject, "the name contains \(breaker); image names are written "
                                    + "into pxelinux configs, which cannot hold control characters")
            }
            guard let fields = collector.fields(of: node, subject: subject, ownerLocation: name.location,
                                                allowed: Self.keys, emptyAllowed: false) else { continue }
            collector.require("kernel", in: fields)
            let kernel = collector.tftpPath("kernel", in: fields)
            let initrd = collector.tftpPath("initrd", in: fields)
            let rootPath = collector.rootPath(in: fields)
            let cmdline = collector.cmdline(in: fields)
            if let kernel { result.bootFiles.append(.init(file: kernel, what: "kernel", subject: subject)) }
            if let initrd { result.bootFiles.append(.init(file: initrd, what: "initrd", subject: subject)) }
            let export = collector.parsed("export", in: fields, expected: "nfs (the only export there is)") {
                $0 == "nfs" ? true : nil
            }
            if let export {
                result.exports.append(.init(image: name.value, location: export.location, rootPath: rootPath))
            }
            let nfsSquash = readNFSSquash(fields, exported: export != nil)
            let boot = collector.bootMethod(in: fields)
            let secureBoot = collector.secureBoot(in: fields)
            guard let kernel else { continue }
            result.images.append(BootImage(name: name.value, kernel: kernel.value, initrd: initrd?.value,
                                           rootPath: rootPath?.value, cmdline: cmdline?.value,
                                           exportsNFS: export?.value ?? false, location: name.location,
                                           boot: boot?.value, secureBoot: secureBoot?.value,
                                           bootKeys: collector.bootKeys(boot, secureBoot),
                                           nfsSquash: nfsSquash?.value ?? .defaultSquash))
        }
        return result
    }

    /// `nfs_squash: none | root | all`; on an image that is not exported it changes nothing, which a warning says
    /// (as for other keys that another setting makes moot).
    private func readNFSSquash(_ fields: Fields, exported: Bool) -> Located<NFSSquash>? {
        let squash = collector.parsed("nfs_squash", in: fields, expected: "none, root or all") {
            NFSSquash(rawValue: $0.lowercased())
        }
        if !exported, let key = fields.entries["nfs_squash"]?.key {
            collector.warning(at: key.location, fields.subject, "nfs_squash is ignored: the image has no export: nfs")
        }
        return squash
    }
}
