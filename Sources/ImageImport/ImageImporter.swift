import CSyscalls
import Foundation
import Support

/// `netroot image import`: a root filesystem tarball, a `docker save` archive or an OCI image layout (as a tar)
/// becomes `state_dir/images/NAME/rootfs`, and its kernel and initrd are copied into `tftp_root/NAME/`.
public struct ImageImporter {
    public let name: String
    public let source: String
    public let stateDirectory: String
    public let tftpRoot: String
    /// Inside the image (`boot/vmlinuz-6.1.0-18-amd64`) or on the host; default: the newest in the image's /boot.
    public var kernel: String?
    public var initrd: String?
    /// Called as the source is read: bytes so far, bytes in all.
    public var progress: (Int64, Int64) -> Void = { _, _ in }

    public init(name: String, source: String, stateDirectory: String, tftpRoot: String) {
        self.name = name
        self.source = source
        self.stateDirectory = stateDirectory
        self.tftpRoot = tftpRoot
    }

    /// What an import produced.
    public struct Summary {
        public var format: String
        public var layers: Int
        public var rootfs: String
        /// Relative to tftp_root, as `images:` wants them.
        public var kernel: String
        public var initrd: String?
        public var files: Int
        public var directories: Int
        public var links: Int
        public var devices: Int
        public var bytes: Int64
    }

    public func run() throws -> Summary {
        let descriptor = open(source, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw ArchiveError("cannot open \(source): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var status = stat()
        fstat(descriptor, &status)
        let size = Int64(status.st_size)

        let imageDirectory = stateDirectory + "/images/" + name
        try FileManager.default.createDirectory(atPath: imageDirectory, withIntermediateDirectories: true)
        let staging = imageDirectory + "/rootfs.new.\(getpid())"
        try? FileManager.default.removeItem(atPath: staging)
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: false)
        let format: String
        let layers: Int
        let counts: RootExtractor.Counts
        do {
            let extractor = try RootExtractor(root: staging)
            (format, layers) = try unpack(descriptor: descriptor, size: size, into: extractor)
            counts = extractor.counts
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            throw error
        }
        // Running nodes keep a consistent tree: the new root replaces the old in one rename.
        let rootfs = imageDirectory + "/rootfs"
        if FileManager.default.fileExists(atPath: rootfs) {
            guard netroot_exchange_paths(AT_FDCWD, staging, AT_FDCWD, rootfs) == 0 else {
                throw ArchiveError("cannot swap in the new root: \(String(cString: strerror(errno)))")
            }
            try FileManager.default.removeItem(atPath: staging) // now the old root
        } else {
            guard rename(staging, rootfs) == 0 else {
                throw ArchiveError("cannot move the new root into place: \(String(cString: strerror(errno)))")
            }
        }
        let boot = try BootFiles.install(from: rootfs, kernel: kernel, initrd: initrd, into: tftpRoot, image: name)
        return Summary(format: format, layers: layers, rootfs: rootfs, kernel: boot.kernel, initrd: boot.initrd,
                       files: counts.files, directories: counts.directories, links: counts.symlinks + counts.hardLinks,
                       devices: counts.devices, bytes: counts.bytes)
    }

    /// Tells the formats apart by the outer archive's members, then unpacks the root or the image's layers.
    private func unpack(descriptor: Int32, size: Int64, into extractor: RootExtractor) throws -> (String, Int) {
        let outer = try openStream(descriptor: descriptor, offset: 0, count: size)
        if outer is GzipStream {
            // Layers of a compressed image archive need random access: decompress it beside the image first.
            let members = try Self.scan(TarReader(outer), keepingJSON: false) { _, _ in }
            if members["manifest.json"] != nil || members["index.json"] != nil {
                let plain = stateDirectory + "/images/\(name)/archive.\(getpid()).tar"
                defer { unlink(plain) }
                try Self.gunzip(descriptor: descriptor, size: size, to: plain)
                let inner = open(plain, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
                guard inner >= 0 else { throw ArchiveError("cannot reopen \(plain)") }
                defer { close(inner) }
                var status = stat()
                fstat(inner, &status)
                return try unpack(descriptor: inner, size: Int64(status.st_size), into: extractor)
            }
            try extractRoot(try openStream(descriptor: descriptor, offset: 0, count: size), size: size, into: extractor)
            return ("root filesystem tarball (gzip)", 1)
        }
        let members = try Self.scan(TarReader(outer), keepingJSON: true) { position, _ in progress(position / 4, size) }
        let layerPaths: [String]
        if let manifest = members["manifest.json"]?.json {
            layerPaths = try ImageManifests.dockerLayers(manifest)
            return try ("docker save archive", extractLayers(layerPaths, members: members, descriptor: descriptor,
                                                            size: size, into: extractor))
        }
        if let index = members["index.json"]?.json {
            layerPaths = try ImageManifests.ociLayers(index: index) { path in members[path]?.json }
            return try ("OCI image layout", extractLayers(layerPaths, members: members, descriptor: descriptor,
                                                         size: size, into: extractor))
        }
        try extractRoot(try openStream(descriptor: descriptor, offset: 0, count: size), size: size, into: extractor)
        return ("root filesystem tarball", 1)
    }

    private func extractRoot(_ stream: any ByteStream, size: Int64, into extractor: RootExtractor) throws {
        let reader = TarReader(stream)
        while let entry = try reader.next() {
            try extractor.extract(entry, from: reader)
            progress(reader.position, size)
        }
    }

    private func extractLayers(_ paths: [String], members: [String: Member], descriptor: Int32, size: Int64,
                               into extractor: RootExtractor) throws -> Int {
        for path in paths {
            guard let member = members[path] else { throw ArchiveError("the image names layer \(path), which it lacks") }
            // Pass 1: this layer's whiteouts delete what lower layers made; pass 2: its own members.
            let whiteouts = TarReader(try openStream(descriptor: descriptor, offset: member.offset, count: member.size))
            while let entry = try whiteouts.next() { _ = try extractor.applyWhiteout(entry.path) }
            let reader = TarReader(try openStream(descriptor: descriptor, offset: member.offset, count: member.size))
            while let entry = try reader.next() {
                if (entry.path.split(separator: "/").last ?? "").hasPrefix(".wh.") { continue }
                try extractor.extract(entry, from: reader)
                progress(member.offset + reader.position, size)
            }
        }
        return paths.count
    }

    /// A member of the outer archive: where its bytes are, and its text when it is small JSON.
    struct Member {
        var offset: Int64
        var size: Int64
        var json: Any?
    }

    private static func scan(_ reader: TarReader, keepingJSON: Bool,
                             progress: (Int64, Int64) -> Void) throws -> [String: Member] {
        var members: [String: Member] = [:]
        while let entry = try reader.next() {
            guard entry.kind == .file, let path = try RootExtractor.normalize(entry.path) else { continue }
            var member = Member(offset: reader.position, size: entry.size, json: nil)
            // Only where image archives keep their JSON: top-level files and OCI blobs (not a root's own files).
            let imageMetadata = (path.hasSuffix(".json") && !path.contains("/")) || path.hasPrefix("blobs/")
            if keepingJSON, entry.size <= 4 << 20, imageMetadata {
                var bytes: [UInt8] = []
                try reader.readContent { bytes += $0 }
                member.json = try? JSONSerialization.jsonObject(with: Data(bytes))
            }
            members[path] = member
            progress(reader.position, 0)
        }
        return members
    }

    private static func gunzip(descriptor: Int32, size: Int64, to path: String) throws {
        let stream = try GzipStream(FileWindow(descriptor: descriptor, offset: 0, count: size))
        // Exclusively, 0600 and never through a link planted at its name (state_dir is netroot's alone anyway).
        let created: Int32
        do { created = try PrivateFile.createExclusive(path) } catch { throw ArchiveError("cannot write \(path): \(error)") }
        let handle = FileHandle(fileDescriptor: created, closeOnDealloc: true)
        defer { try? handle.close() }
        while true {
            let chunk = try stream.read(1 << 20)
            if chunk.isEmpty { break }
            try handle.write(contentsOf: chunk)
        }
    }
}
