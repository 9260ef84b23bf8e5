import Foundation
import NIOConcurrencyHelpers
#if canImport(Glibc)
import Glibc
#endif

/// A child process with its own waiting thread: `onExit` runs with its PID and wait status once it ends. (Foundation's
/// Process left children unreaped in this server, so the wait is done here, blocking, off every event loop.) It leads
/// a process group of its own, so that one signal reaches everything it started, and nothing else; what is left in
/// that group when it ends is killed.
final class ChildProcess: Sendable {
    let pid: pid_t
    private let exited = NIOLockedValueBox<Int32?>(nil)

    /// Starts `arguments[0]` (an absolute path) with stdin, stdout and stderr on /dev/null.
    init(_ arguments: [String], onExit: @escaping @Sendable (pid_t, Int32) -> Void) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for descriptor in [STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO] {
            posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", descriptor == STDIN_FILENO ? O_RDONLY : O_WRONLY, 0)
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The child starts with default signal handling, whatever this process ignores or blocks.
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigdefault(&attributes, &all)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        // Its PID is its process group's ID: a SIGKILL to the group leaves no grandchild behind.
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP))
        var child: pid_t = 0
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let result = posix_spawn(&child, arguments[0], &actions, &attributes, argv, environ)
        guard result == 0 else {
            throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey:
                "cannot start \(arguments[0]): \(String(cString: strerror(result)))"])
        }
        pid = child
        let exited = self.exited, spawned = child
        Thread.detachNewThread {
            // Waits for the exit without reaping, then reaps under the lock that `signal` holds: until then the PID
            // (and the group's ID) cannot be reused, so a signal never reaches a stranger.
            var info = siginfo_t()
            while waitid(P_PID, id_t(spawned), &info, WEXITED | WNOWAIT) < 0, errno == EINTR {}
            // What it leaves in its group (the children of a killed wrapper) ends with it.
            _ = kill(-spawned, SIGKILL)
            var status: Int32 = 0
            exited.withLockedValue {
                while waitpid(spawned, &status, 0) < 0, errno == EINTR {}
                $0 = status
            }
            onExit(spawned, status)
        }
    }

    var isRunning: Bool { exited.withLockedValue { $0 == nil } }

    /// Sends `signal` to the process, or with `group`, to its whole process group; nothing once it is reaped.
    func signal(_ signal: Int32, group: Bool = false) {
        exited.withLockedValue { status in
            if status == nil { _ = kill(group ? -pid : pid, signal) }
        }
    }
}
