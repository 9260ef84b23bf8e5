import Foundation
import Inventory
import Logging
import Support
#if canImport(Glibc)
import Glibc
#endif

/// Runs nfs-ganesha (with an rpcbind of its own, both in a private mount namespace whose /run is a tmpfs, so
/// the host's /run is never touched) for the images exported in nodes.yaml: restarts it when it dies, rewrites
/// its configuration and restarts it when the exports change, and stops it with the server.
///
/// Every event (a serve, a stop, an exit, a timer) is handled on one serial queue by one `NFSSupervisor`, so no
/// two of them can each decide to start a process. Nothing on that queue waits: a stop sends SIGTERM and a
/// timer escalates to SIGKILL (of the wrapper's whole process group); the reaper thread reports the exit.
public final class NFSServer: @unchecked Sendable {
    private let runDirectory: String
    private let bindAddress: IPv4Address?
    private let logger: Logger
    private let grace: Double
    /// Owns `supervisor` and `processes`: they are touched only on it.
    private let queue = DispatchQueue(label: "netroot.nfs")
    private var supervisor: NFSSupervisor
    private var processes: [pid_t: ChildProcess] = [:]
    /// Signalled once the process is gone after `stop`.
    private let finished = DispatchSemaphore(value: 0)

    var configurationPath: String { runDirectory + "/ganesha.conf" }
    var logPath: String { runDirectory + "/ganesha.log" }

    public init(stateDirectory: String, bindAddress: IPv4Address?, logger: Logger, grace: Double = 5) {
        runDirectory = stateDirectory + "/nfs"
        self.bindAddress = bindAddress
        self.logger = logger
        self.grace = grace
        supervisor = NFSSupervisor(grace: grace)
    }

    /// Starts serving these exports (or, with none, stops serving). Returns at once: a running nfs-ganesha with
    /// other exports is asked to stop, and the new one starts when it has exited.
    public func serve(_ exports: [NFSExport]) throws {
        let missing = ["ganesha.nfsd", "rpcbind", "unshare"].filter { Self.find($0) == nil }
        guard exports.isEmpty || missing.isEmpty else {
            let images = exports.map(\.image).joined(separator: ", ")
            let programs = missing.joined(separator: ", ")
            logger.error("NFS: cannot export \(images): \(programs) not found (apt-get install nfs-ganesha nfs-ganesha-vfs rpcbind)")
            queue.sync { handle(.serve([])) }
            return
        }
        if !exports.isEmpty {
            try FileManager.default.createDirectory(atPath: runDirectory + "/recovery", withIntermediateDirectories: true)
        }
        queue.sync { handle(.serve(exports)) }
    }

    /// Stops serving for good, and waits (at most the SIGKILL grace and a little) until nfs-ganesha is gone, so
    /// that none outlives the server.
    public func stop() {
        let done = queue.sync { () -> Bool in
            handle(.stop)
            return supervisor.state == .finished
        }
        if !done { _ = finished.wait(timeout: .now() + grace + 2) }
    }

    /// What the supervisor is doing now (for tests and diagnostics).
    var state: NFSSupervisor.State { queue.sync { supervisor.state } }

    /// Feeds one event to the supervisor and carries out its actions; a spawn's result is the next event.
    private func handle(_ event: NFSSupervisor.Event) {
        dispatchPrecondition(condition: .onQueue(queue))
        var pending = supervisor.handle(event)
        while !pending.isEmpty {
            if let next = perform(pending.removeFirst()) { pending += supervisor.handle(next) }
        }
    }

    private func perform(_ action: NFSSupervisor.Action) -> NFSSupervisor.Event? {
        switch action {
        case .spawn(let exports):
            do {
                return .spawned(pid: try launch(exports), at: Self.now())
            } catch {
                logger.error("NFS: cannot start nfs-ganesha: \(error)")
                return .spawnFailed
            }
        case .terminate(let pid):
            // The wrapper's trap stops ganesha, then rpcbind.
            processes[pid]?.signal(SIGTERM)
        case .kill(let pid):
            logger.warning("NFS: nfs-ganesha (PID \(pid)) did not stop within \(Int(grace)) s of SIGTERM; killing it")
            // The whole group: killing only the wrapper would leave ganesha and rpcbind running, orphaned.
            processes[pid]?.signal(SIGKILL, group: true)
        case .scheduleTimer(let timer, let delay):
            queue.asyncAfter(deadline: .now() + delay) { [weak self] in self?.handle(.timerFired(timer)) }
        case .reportCrash(let status, let delay):
            let tail = (try? String(contentsOfFile: logPath, encoding: .utf8))?
                .split(separator: "\n").suffix(3).joined(separator: " | ") ?? ""
            logger.error("NFS: nfs-ganesha exited (wait status \(status)); restarting in \(Int(delay)) s; last log lines: \(tail)")
        case .finished:
            finished.signal()
        }
        return nil
    }

    /// Writes the configuration and starts nfs-ganesha; its exit comes back on the queue.
    private func launch(_ exports: [NFSExport]) throws -> pid_t {
        try PrivateFile.replace(configurationPath, with: Array(
            GaneshaConfig.render(exports, bindAddress: bindAddress, runDirectory: runDirectory).utf8))
        let process = try ChildProcess(["/usr/bin/unshare", "--mount", "--propagation", "private", "--",
                                        "/bin/sh", "-c", Self.script, "netroot-nfs", configurationPath, logPath]) {
            [weak self] pid, status in
            guard let self else { return }
            let time = Self.now()
            queue.async {
                self.processes[pid] = nil
                self.handle(.exited(pid: pid, status: status, at: time))
            }
        }
        processes[process.pid] = process
        let list = exports.map { "\($0.image) at \($0.path)" }.joined(separator: ", ")
        logger.notice("NFS: exporting \(list) (nfs-ganesha, read-only)")
        return process.pid
    }

    /// A monotonic clock in seconds, for the supervisor's "ran for a minute" test.
    private static func now() -> Double { ProcessInfo.processInfo.systemUptime }

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
