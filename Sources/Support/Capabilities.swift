import CSyscalls
import Foundation

/// The calling thread's Linux capabilities, and dropping them: `serve` drops every one once its sockets are open,
/// before it starts any other thread (capabilities belong to each thread; a new thread copies its creator's).
public enum Capabilities {
    /// Bit N stands for capability N.
    public typealias Mask = UInt64

    public static let netBindService: Mask = 1 << 10
    public static let netAdmin: Mask = 1 << 12
    public static let netRaw: Mask = 1 << 13
    /// What nfs-ganesha, rpcbind and their mount namespace need (config/netroot-nfs.conf's list without the
    /// network ones): chown, dac_override, dac_read_search, fowner, kill (rpcbind runs as _rpc and is stopped
    /// by its root wrapper), setgid, setuid, net_bind_service (rpcbind's port 111), sys_admin (the namespace,
    /// the tmpfs, open_by_handle_at), sys_resource (its descriptor limit).
    public static let nfsExporting: Mask = (1 << 0) | (1 << 1) | (1 << 2) | (1 << 3) | (1 << 5) | (1 << 6)
        | (1 << 7) | netBindService | (1 << 21) | (1 << 24)

    /// One thread's sets.
    public struct Sets: Sendable, Equatable {
        public var effective: Mask
        public var permitted: Mask
        public var bounding: Mask
    }

    /// Why the capabilities could not be dropped.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// The calling thread's sets, nil if the kernel would not say.
    public static func current() -> Sets? {
        var effective: UInt64 = 0, permitted: UInt64 = 0, bounding: UInt64 = 0
        guard netroot_capabilities(&effective, &permitted, &bounding) == 0 else { return nil }
        return Sets(effective: effective, permitted: permitted, bounding: bounding)
    }

    /// Makes the permitted capabilities effective: the container image's binary carries its three as file
    /// capabilities without the effective bit (`+p`), so a runtime that grants fewer still starts it (with the
    /// effective bit the kernel refuses the exec) and it says what is missing instead.
    public static func raise() {
        _ = netroot_raise_capabilities()
    }

    /// Drops every capability not in `keeping` from the calling thread's bounding (where it may), ambient,
    /// inheritable, permitted and effective sets, and sets no_new_privs.
    public static func drop(keeping: Mask = 0) throws(Failure) {
        guard netroot_drop_capabilities(keeping) == 0 else {
            throw Failure(description: "cannot drop capabilities: \(String(cString: strerror(errno)))")
        }
    }

    /// `drop` for the whole process: refused unless the calling thread is its only one (one started earlier
    /// would keep its own). Returns what the thread held before.
    @discardableResult
    public static func dropForProcess(keeping: Mask = 0) throws(Failure) -> Sets? {
        let threads = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").count) ?? 1
        guard threads == 1 else {
            throw Failure(description: "cannot drop capabilities for the whole process: it already runs \(threads) "
                              + "threads, each with its own")
        }
        let before = current()
        try drop(keeping: keeping)
        return before
    }

    /// `cap_net_raw, cap_net_admin`, as capabilities(7) names them; "none" for an empty mask.
    public static func names(_ mask: Mask) -> String {
        let known = [0: "cap_chown", 1: "cap_dac_override", 2: "cap_dac_read_search", 3: "cap_fowner",
                     4: "cap_fsetid", 5: "cap_kill", 6: "cap_setgid", 7: "cap_setuid", 8: "cap_setpcap",
                     10: "cap_net_bind_service", 12: "cap_net_admin", 13: "cap_net_raw", 19: "cap_sys_ptrace", 21: "cap_sys_admin",
                     24: "cap_sys_resource"]
        let bits = (0..<64).filter { mask & (1 << $0) != 0 }
        if bits.isEmpty { return "none" }
        // A full set (root's) is a number, not forty names.
        if bits.count > 8 { return "\(bits.count) capabilities (0x\(String(mask, radix: 16)))" }
        return bits.map { known[$0] ?? "cap_\($0)" }.joined(separator: ", ")
    }
}
