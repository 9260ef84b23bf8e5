#if canImport(Glibc)
import Glibc
#endif
import CSyscalls
import NIOCore
import NIOPosix

/// How many event-loop threads the appliance runs.
enum EventLoopThreads {
    /// One per CPU this process may run on. NIO's default counts the machine's CPUs (or the cgroup's), so a
    /// server pinned with taskset or systemd's CPUAffinity= to one CPU would run two loops that take turns on
    /// it: every transfer's packet then risks a context switch between them. NIO_SINGLETON_GROUP_LOOP_COUNT,
    /// when set, still decides.
    static var count: Int {
        if let fixed = getenv("NIO_SINGLETON_GROUP_LOOP_COUNT").flatMap({ Int(String(cString: $0)) }), fixed > 0 {
            return fixed
        }
        let allowed = Int(netroot_allowed_cpu_count())
        guard allowed > 0 else { return System.coreCount }
        return min(allowed, System.coreCount)
    }
}
