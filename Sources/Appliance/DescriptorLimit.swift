#if canImport(Glibc)
import Glibc
#endif

/// The process's limit on open descriptors.
enum DescriptorLimit {
    /// Enough for tens of thousands of transfers, and still a limit the NFS server (a child) can inherit.
    static let wanted: rlim_t = 65_536

    /// Raises the soft limit towards `wanted`, as far as the hard limit allows; returns the soft limit now.
    /// Each TFTP transfer holds two sockets: the usual soft limit of 1,024 would refuse ports to a rack
    /// booting at once, while the hard limit (systemd's LimitNOFILE=, ulimit -Hn) is there to be used.
    static func raise() -> UInt64 {
        var limit = rlimit()
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        guard getrlimit(resource, &limit) == 0 else { return 0 }
        let target = min(limit.rlim_max, wanted)
        if limit.rlim_cur < target {
            var raised = limit
            raised.rlim_cur = target
            if setrlimit(resource, &raised) == 0 { return UInt64(target) }
        }
        return UInt64(limit.rlim_cur)
    }
}
