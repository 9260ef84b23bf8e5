import Foundation
import Inventory
import Logging
import NIOConcurrencyHelpers

/// Runs nfs-ganesha (with an rpcbind of its own, both in a private mount namespace whose /run is a tmpfs, so
/// the host's /run is never touched) for the images exported in nodes.yaml: restarts it when it dies, rewrites
/// its configuration and restarts it when the exports change, and stops it with the server.
final class NFSServer: Sendable {
    private struct State {
        var process: ChildProcess?
        var exports: [NFSExport] = []
        var stopping = false
        var failures = 0
        var startedAt = Date.distantPast
    }

    private let runDirectory: String
    private let bindAddress: IPv4Address?
    private let logger: Logger
    private let state = NIOLockedValueBox(State())

    var configurationPath: String { runDirectory + "/ganesha.conf" }
    var logPath: String { runDirectory + "/ganesha.log" }

    init(stateDirectory: String, bindAddress: IPv4Address?, logger: Logger) {
        runDirectory = stateDirectory + "/nfs"
        self.bindAddress = bindAddress
        self.logger = logger
    }

    /// Starts serving these exports (or, with none, stops serving).
    func serve(_ exports: [NFSExport]) throws {
        let changed = state.withLockedValue { state -> Bool in
            defer { state.exports = exports }
            return state.exports != exports || state.process == nil
        }
        guard changed else { return }
        stopProcess()
        guard !exports.isEmpty else { return }
        let missing = ["ganesha.nfsd", "rpcbind", "unshare"].filter { Self.find($0) == nil }
        guard missing.isEmpty else {
            let images = exports.map(\.image).joined(separator: ", ")
            let programs = missing.joined(separator: ", ")
            logger.error("NFS: cannot export \(images): \(programs) not found (apt-get install nfs-ganesha nfs-ganesha-vfs rpcbind)")
            return
        }
        try FileManager.default.createDirectory(atPath: runDirectory + "/recovery", withIntermediateDirectories: true)
        try GaneshaConfig.render(exports, bindAddress: bindAddress, runDirectory: runDirectory)
            .write(toFile: configurationPath, atomically: true, encoding: .utf8)
        try launch()
        let list = exports.map { "\($0.image) at \($0.path)" }.joined(separator: ", ")
        logger.notice("NFS: exporting \(list) (nfs-ganesha, read-only)")
    }

    func stop() {
        state.withLockedValue { $0.stopping = true }
        stopProcess()
    }

    private func launch() throws {
        let process = try ChildProcess(["/usr/bin/unshare", "--mount", "--propagation", "private", "--",
                                        "/bin/sh", "-c", Self.script, "netroot-nfs", configurationPath, logPath]) {
            [weak self] pid, status in self?.exited(pid: pid, status: status)
        }
        state.withLockedValue {
            $0.process = process
            $0.startedAt = Date()
        }
    }

    /// A crash is restarted after 1, 2, 4 … 30 s; a run that lasted a minute resets the wait.
    private func exited(pid: pid_t, status: Int32) {
        let (current, stopping, delay) = state.withLockedValue { state -> (Bool, Bool, Double) in
            guard state.process?.pid == pid else { return (false, state.stopping, 0) }
            state.process = nil
            if Date().timeIntervalSince(state.startedAt) > 60 { state.failures = 0 }
            state.failures += 1
            return (true, state.stopping, min(30, pow(2, Double(state.failures - 1))))
        }
        guard current, !stopping else { return }
        let tail = (try? String(contentsOfFile: logPath, encoding: .utf8))?
            .split(separator: "\n").suffix(3).joined(separator: " | ") ?? ""
        logger.error("NFS: nfs-ganesha exited (wait status \(status)); restarting in \(Int(delay)) s; last log lines: \(tail)")
        DispatchQueue.global().asyncAfter(deadline: .now() + delay) { [weak self] in
            guard let self, !self.state.withLockedValue({ $0.stopping || $0.process != nil }) else { return }
            do { try self.launch() } catch { self.logger.error("NFS: cannot restart nfs-ganesha: \(error)") }
        }
    }

    private func stopProcess() {
        guard let process = state.withLockedValue({ state -> ChildProcess? in
            defer { state.process = nil }
            return state.process
        }) else { return }
        process.stop(grace: 5)
    }

    /// The program's path in $PATH (or the usual system directories), if it is installed.
    private static func find(_ program: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/usr/bin", "/sbin", "/bin"]
        return directories.map { $0 + "/" + program }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs inside the new mount namespace: a tmpfs /run, rpcbind, then ganesha in the foreground; SIGTERM
    /// stops both. Arguments: the configuration file and the log file.
    private static let script = """
        set -u
        rpcbind_pid="" ganesha_pid=""
        # Set first: a stop that comes while rpcbind starts must not leave it behind.
        trap 'kill $ganesha_pid $rpcbind_pid 2>/dev/null; wait; exit 0' TERM INT
        mount -t tmpfs -o mode=0755 netroot-nfs /run || exit 1
        mkdir -p /run/rpcbind /run/ganesha
        rpcbind -f -w &
        rpcbind_pid=$!
        for _ in $(seq 50); do [ -S /run/rpcbind.sock ] && break; sleep 0.1; done
        ganesha.nfsd -F -f "$1" -L "$2" -p /run/ganesha/ganesha.pid -N NIV_EVENT &
        ganesha_pid=$!
        wait "$ganesha_pid"
        status=$?
        kill "$rpcbind_pid" 2>/dev/null
        wait
        exit "$status"
        """
}
