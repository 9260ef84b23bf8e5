import Foundation
import Inventory
import Logging
import NIOConcurrencyHelpers
#if canImport(Glibc)
import Glibc
#endif

/// nfs-ganesha run by a helper process, `netroot nfs-helper`, which keeps the privileges exporting needs (root,
/// CAP_SYS_ADMIN for its mount namespace) while `serve` drops all of its own after start. `serve` writes each
/// export list to the helper's stdin as one JSON line (`NFSHelperInput`); the end of that input (serve's stop,
/// or its death) stops nfs-ganesha and ends the helper.
public final class NFSHelper: Sendable {
    public let pid: pid_t
    private let input: Int32
    /// Set by the watching thread once the helper is reaped; `stop` sets `stopping` first.
    private let state = NIOLockedValueBox((stopping: false, exited: false))

    private init(pid: pid_t, input: Int32) {
        self.pid = pid
        self.input = input
    }

    /// Starts `executable nfs-helper …` (serve's own binary, `/proc/self/exe`) with a pipe for stdin and serve's stdout and stderr; no thread is started
    /// (serve calls this before it drops its capabilities, when it has only one).
    public static func spawn(executable: String, stateDirectory: String, bindAddress: IPv4Address?,
                             logLevel: String) throws(NFSHelperError) -> NFSHelper {
        var ends: [Int32] = [-1, -1]
        // (pipe2 is hidden behind _GNU_SOURCE; serve has one thread here, so nothing can fork in between.)
        guard pipe(&ends) == 0 else { throw NFSHelperError(description: "pipe: \(Self.lastError)") }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, ends[0], STDIN_FILENO) // dup2 clears close-on-exec
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var all = sigset_t(), none = sigset_t()
        sigfillset(&all)
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        // argv[0] as serve was started (ps shows "netroot nfs-helper …"), whatever path `executable` is.
        var arguments = [CommandLine.arguments.first ?? "netroot", "nfs-helper", "--state-dir", stateDirectory,
                         "--log-level", logLevel]
        if let bindAddress { arguments += ["--bind-address", "\(bindAddress)"] }
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let result = posix_spawn(&child, executable, &actions, &attributes, argv, environ)
        close(ends[0])
        guard result == 0 else {
            close(ends[1])
            throw NFSHelperError(description: "cannot start \(executable) nfs-helper: \(String(cString: strerror(result)))")
        }
        return NFSHelper(pid: child, input: ends[1])
    }

    /// Reaps the helper on a thread of its own once it ends, and says so when that was not `stop`'s doing (nfs
    /// exports then stop until serve restarts: it can no longer start a privileged process).
    public func watch(logger: Logger) {
        let pid = pid, state = state
        Thread.detachNewThread {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0, errno == EINTR {}
            let expected = state.withLockedValue { state in
                state.exited = true
                return state.stopping
            }
            if !expected {
                logger.error("NFS: the nfs-helper process (PID \(pid)) ended (wait status \(status)); NFS roots are not served until netroot restarts")
            }
        }
    }

    /// Has the helper export exactly these (none: stop nfs-ganesha).
    public func serve(_ exports: [NFSExport]) throws(NFSHelperError) {
        guard let line = try? JSONEncoder().encode(NFSHelperInput(exports: exports)) else {
            throw NFSHelperError(description: "cannot encode the exports")
        }
        let bytes = Array(line) + [UInt8(ascii: "\n")]
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { write(input, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else {
                throw NFSHelperError(description: "the nfs-helper process is gone (\(Self.lastError))")
            }
            written += count
        }
    }

    /// Ends the helper's input and waits (at most `grace` seconds) for it to stop nfs-ganesha and exit; kills
    /// it after that.
    public func stop(grace: Double = 10) {
        state.withLockedValue { $0.stopping = true }
        close(input)
        let deadline = Date().addingTimeInterval(grace)
        while !state.withLockedValue({ $0.exited }), Date() < deadline { usleep(20_000) }
        if !state.withLockedValue({ $0.exited }) {
            _ = kill(pid, SIGKILL)
            for _ in 0..<50 where !state.withLockedValue({ $0.exited }) { usleep(20_000) }
        }
    }

    private static var lastError: String { String(cString: strerror(errno)) }
}

/// One line of the helper's input: the exports it is to serve from now on.
public struct NFSHelperInput: Codable, Sendable {
    public var exports: [NFSExport]
}

/// Why the NFS helper could not be started or reached, in one line.
public struct NFSHelperError: Error, CustomStringConvertible, Sendable {
    public let description: String
}
