import Snapshot
import TFTP

/// The TFTP names of the inventory snapshot serving now. The root stays the one the server started with:
/// a new `tftp_root` needs a restart, and the reloader refuses it.
struct ServingFiles: Sendable {
    let root: RootDirectory
    let snapshots: SnapshotPublisher

    /// Read once per request: the node's config and its name in the log come from one inventory version.
    var current: TFTPFiles { TFTPFiles(root: root, bootConfigs: snapshots.current.bootConfigs) }
}
