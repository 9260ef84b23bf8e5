import Foundation
import NIOConcurrencyHelpers
#if canImport(Glibc)
import Glibc
#endif

/// A child process with its own waiting thread: `onExit` runs with its PID and wait status once it ends. (Foundation's
/// Process left children unreaped in this server, so the wait is done here, blocking, off every event loop.)
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
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
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
            var status: Int32 = 0
            while waitpid(spawned, &status, 0) < 0, errno == EINTR {}
            exited.withLockedValue { $0 = status }
            onExit(spawned, status)
        }
    }

    var isRunning: Bool { exited.withLockedValue { $0 == nil } }

    /// Asks it to stop (SIGTERM); after `grace`, kills it.
    func stop(grace: TimeInterval = 5) {
        guard isRunning else { return }
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while isRunning, Date() < deadline { usleep(20_000) }
        if isRunning { kill(pid, SIGKILL) }
    }
}
