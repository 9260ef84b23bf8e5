@testable import NFSSupervision
import Foundation
import Logging
import Testing

/// NFSServer with real processes and a fake nfs-ganesha (first in PATH): a restart timer that fires while a reload
/// waits for the old process must not start a second one, and a stop leaves none behind, even one that ignores
/// SIGTERM. Needs root (unshare --mount). Waits for states and processes, not for fixed times, so that a slow run
/// (ThreadSanitizer) judges the same.
@Suite(.serialized) struct NFSServerRaceTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nr-nfs-\(UUID().uuidString)").path
    var pids: String { directory + "/pids" }

    /// Fake ganesha.nfsd and rpcbind; each running fake ganesha keeps a file named by its PID in `pids`, created
    /// once `onTERM` is its SIGTERM trap ("" ignores SIGTERM).
    func installFakes(onTERM: String) throws {
        let bin = directory + "/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: pids, withIntermediateDirectories: true)
        let ganesha = """
            #!/bin/sh
            trap '\(onTERM)' TERM
            touch \(pids)/$$
            while :; do sleep 0.1; done
            """
        // /usr/bin/python3, not a python3 shim that is slow to start; the directory names it for `cleanUp`.
        let rpcbind = """
            #!/bin/sh
            exec /usr/bin/python3 -c 'import socket, time; s = socket.socket(socket.AF_UNIX); s.bind("/run/rpcbind.sock"); time.sleep(3600)' \(directory)
            """
        for (name, text) in [("ganesha.nfsd", ganesha), ("rpcbind", rpcbind)] {
            try text.write(toFile: bin + "/" + name, atomically: true, encoding: .utf8)
            chmod(bin + "/" + name, 0o755)
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        if !path.hasPrefix(bin) { setenv("PATH", bin + ":" + path, 1) }
    }

    /// PIDs of fake ganeshas alive now. `kill(pid, 0)` is not enough: a SIGKILLed fake leaves its file behind (and
    /// its PID may be reused), and one orphaned by a killed wrapper stays a zombie until PID 1 reaps it.
    func running() -> [pid_t] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: pids)) ?? []
        return names.compactMap { pid_t($0) }.filter { pid in
            let stat = Self.read("/proc/\(pid)/stat")
            // The state is the field after "(command)": Z (zombie) and X (dead) are not running.
            guard let close = stat.lastIndex(of: ")"), stat.index(close, offsetBy: 2) < stat.endIndex,
                  !"ZX".contains(stat[stat.index(close, offsetBy: 2)]) else { return false }
            return Self.read("/proc/\(pid)/cmdline").contains(directory + "/bin/ganesha.nfsd")
        }
    }

    /// Kills whatever this test started that is still there (everything names `directory` in its command line),
    /// so that a broken server leaves nothing behind, and removes the directory.
    func cleanUp() {
        let all = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for pid in all.compactMap({ pid_t($0) }) where Self.read("/proc/\(pid)/cmdline").contains(directory) {
            kill(pid, SIGKILL)
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A /proc file's text ("" if the process is gone); read to the end, as /proc reports no size.
    static func read(_ path: String) -> String {
        guard let file = FileHandle(forReadingAtPath: path) else { return "" }
        defer { try? file.close() }
        return String(decoding: (try? file.readToEnd()) ?? Data(), as: UTF8.self)
    }

    func export(_ name: String) -> [NFSExport] { [NFSExport(image: name, directory: directory, path: "/" + name)] }

    func makeServer(grace: Double = 5) -> NFSServer {
        NFSServer(stateDirectory: directory, bindAddress: nil, logger: Logger(label: "nfs-test"), grace: grace)
    }

    /// Polls `condition` until it holds or `seconds` pass; true if it held.
    func waitUntil(_ seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline { if condition() { return true }; usleep(20_000) }
        return condition()
    }

    func isBackingOff(_ server: NFSServer) -> Bool { if case .backoff = server.state { true } else { false } }

    /// Kills the one fake ganesha running and waits until the supervisor has seen its wrapper exit (the restart
    /// timer is set); returns when that was.
    func crash(_ server: NFSServer) throws -> Date {
        let pid = try #require(waitUntil(10) { running().count == 1 } ? running().first : nil)
        kill(pid, SIGKILL)
        try #require(waitUntil(10) { isBackingOff(server) })
        return Date()
    }

    @Test(.enabled(if: getuid() == 0)) func aRestartTimerDuringAReloadDoesNotStartASecondGanesha() throws {
        defer { cleanUp() }
        try installFakes(onTERM: "sleep 3; rm -f \(pids)/$$; exit 0")
        let server = makeServer()
        defer { server.stop() }
        try server.serve(export("a"))
        // Two crashes: the second one's restart timer is 2 s away, time enough for a slow run to start b.
        _ = try crash(server)
        try #require(waitUntil(10) { if case .running = server.state { !running().isEmpty } else { false } })
        let crashed = try crash(server)
        // A reload before the timer starts the new exports at once; the next one stops that process (3 s), and
        // the stale restart timer fires in the middle of that stop.
        try server.serve(export("b"))
        #expect(waitUntil(10) { running().count == 1 })
        try server.serve(export("c"))
        #expect(Date().timeIntervalSince(crashed) < 2, "b started after the restart timer: the race was not run")
        // Never two at once, through the timer, b's exit and c's start (and a moment after, for a late spawn).
        var most = 0
        let cRuns = waitUntil(15) {
            most = max(most, running().count)
            guard case .running(_, let exports, _) = server.state else { return false }
            return exports == export("c") && !running().isEmpty
        }
        #expect(cRuns)
        _ = waitUntil(1) { most = max(most, running().count); return false }
        #expect(most == 1, "nfs-ganesha processes running at once: \(most)")
        #expect(running().count == 1)
        server.stop()
        #expect(waitUntil(2) { running().isEmpty }, "nfs-ganesha left running after stop: \(running())")
    }

    @Test(.enabled(if: getuid() == 0)) func stopKillsAGaneshaThatIgnoresSIGTERM() throws {
        defer { cleanUp() }
        try installFakes(onTERM: "")
        let server = makeServer(grace: 1)
        try server.serve(export("a"))
        #expect(waitUntil(10) { running().count == 1 })
        // SIGTERM, which the wrapper passes on and the fake ignores; 1 s later, SIGKILL.
        server.stop()
        #expect(waitUntil(2) { running().isEmpty }, "nfs-ganesha left running after stop: \(running())")
    }

    @Test(.enabled(if: getuid() == 0)) func aKilledWrapperTakesItsGaneshaWithItAndOnlyOneRestarts() throws {
        defer { cleanUp() }
        try installFakes(onTERM: "rm -f \(pids)/$$; exit 0")
        let server = makeServer()
        defer { server.stop() }
        try server.serve(export("a"))
        try #require(waitUntil(10) { running().count == 1 })
        let old = try #require(running().first)
        guard case .running(let wrapper, _, _) = server.state else { Issue.record("not running"); return }
        // Someone (the OOM killer, an operator) kills the wrapper shell, not ganesha.
        kill(wrapper, SIGKILL)
        try #require(waitUntil(10) { isBackingOff(server) })
        #expect(waitUntil(2) { !running().contains(old) }, "the old nfs-ganesha outlived its wrapper")
        // The restart (1 s) is the only one running.
        #expect(waitUntil(10) { if case .running = server.state { running().count == 1 && running().first != old } else { false } })
        #expect(running().count == 1, "nfs-ganesha processes running: \(running())")
    }
}
