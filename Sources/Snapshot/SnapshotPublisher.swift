import Inventory
import Synchronization

/// The snapshot serving now, swapped whole in one step: DHCP and TFTP read it per request, so no request sees
/// part of one inventory and part of another, and requests already answering keep the one they read.
public final class SnapshotPublisher: Sendable {
    private let serving: Mutex<InventorySnapshot>

    /// Starts serving `inventory` as version 1.
    public init(_ inventory: Inventory) {
        serving = Mutex(InventorySnapshot(version: 1, inventory: inventory))
    }

    /// The snapshot to answer one request from.
    public var current: InventorySnapshot { serving.withLock { $0 } }

    /// Serves `inventory` from now on, as the next version; returns its snapshot.
    @discardableResult
    public func publish(_ inventory: Inventory) -> InventorySnapshot {
        // Versions stay in order even if two callers publish at once; building one costs microseconds (the
        // inventory arrives resolved), so readers hardly wait.
        serving.withLock { serving in
            serving = InventorySnapshot(version: serving.version + 1, inventory: inventory)
            return serving
        }
    }
}
