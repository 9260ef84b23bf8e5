import BootConfig
import Inventory
import TFTP

/// What a TFTP name resolves to: a node's generated config first, then the file under tftp_root, then the
/// generated `pxelinux.cfg/default`.
struct TFTPFiles: Sendable {
    let root: RootDirectory
    let bootConfigs: BootConfigFiles

    func open(_ name: String, clientAddress: IPv4Address?) -> Result<any TFTPContent, TFTPRefusal> {
        guard let path = RootDirectory.normalize(name) else { return .failure(.accessViolation) }
        if let text = bootConfigs.nodeConfig(named: path, clientAddress: clientAddress) {
            return .success(MemoryContent(Array(text.utf8)))
        }
        let onDisk = root.open(path)
        if case .failure(let refusal) = onDisk, refusal == .notFound, let text = bootConfigs.fallback(named: path) {
            return .success(MemoryContent(Array(text.utf8)))
        }
        return onDisk
    }

    /// The node with this address in the inventory, for log lines and the boot timeline.
    func nodeName(at address: IPv4Address?) -> String? {
        address.flatMap { bootConfigs.inventory.profile(ip: $0)?.name }
    }
}
