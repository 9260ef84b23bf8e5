import Glibc

/// What tells a file changed on disk from the one opened, cached or last read, without reading it: a rename gives a
/// new inode, a write in place a new size or modification time. Not ctime: renaming a new file over this one
/// changes this one's ctime (its link count) but not its bytes, and a transfer reading it must go on.
public struct FileIdentity: Equatable, Sendable {
    public let device: UInt64
    public let inode: UInt64
    public let size: Int
    public let modifiedSeconds: Int
    public let modifiedNanoseconds: Int

    public init(_ status: stat) {
        device = UInt64(status.st_dev)
        inode = UInt64(status.st_ino)
        size = Int(status.st_size)
        modifiedSeconds = Int(status.st_mtim.tv_sec)
        modifiedNanoseconds = Int(status.st_mtim.tv_nsec)
    }

    /// The identity of the file open on `descriptor`, or nil when fstat fails.
    public init?(descriptor: Int32) {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return nil }
        self.init(status)
    }

    /// The identity of the file at `path`, or nil when it does not exist (between an editor's delete and its new
    /// file, say).
    public init?(path: String) {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        self.init(status)
    }
}
