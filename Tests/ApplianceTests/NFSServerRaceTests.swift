@testable import Appliance
import Foundation
import Logging
import Testing

/// NFSServer with real processes and a fake nfs-ganesha (first in PATH) that takes 3 s to stop: a restart timer
/// that fires while a reload waits for the old process must not start a second one. Needs root (unshare --mount).
@Suite(.serialized) struct NFSServerRaceTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nr-nfs-\(UUID().uuidString)").path

    /// Fake ganesha.nfsd and rpcbind; each running fake ganesha keeps a file named by its PID in `pids`.
    func installFakes() throws {
        let bin = directory + "/bin", pids = directory + "/pids"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: pids, withIntermediateDirectories: true)
        let ganesha = """
            #!/bin/sh
            touch \(pids)/$$
            trap 'sleep 3; rm -f \(pids)/$$; exit 0' TERM
            while :; do sleep 0.1; done
            """
        let rpcbind = """
            #!/bin/sh
            exec python3 -c 'import socket, time; s = socket.socket(socket.AF_UNIX); s.bind("/run/rpcbind.sock"); time.sleep(3600)'
            """
        for (name, text) in [("ganesha.nfsd", ganesha), ("rpcbind", rpcbind)] {
            try text.write(toFile: bin + "/" + name, atomically: true, encoding: .utf8)
            chmod(bin + "/" + name, 0o755)
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        if !path.hasPrefix(bin) { setenv("PATH", bin + ":" + path, 1) }
    }

    /// PIDs of fake ganeshas still alive (a SIGKILLed one leaves its file behind).
    func running() -> [pid_t] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory + "/pids")) ?? []
        return names.compactMap { pid_t($0) }.filter { kill($0, 0) == 0 }
    }

    func export(_ name: String) -> [NFSExport] { [NFSExport(image: name, directory: directory, path: "/" + name)] }

    func waitUntil(_ seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline { if condition() { return true }; usleep(50_000) }
        return condition()
    }

    @Test(.enabled(if: getuid() == 0)) func aRestartTimerDuringAReloadDoesNotStartASecondGanesha() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try installFakes()
        let server = NFSServer(stateDirectory: directory, bindAddress: nil, logger: Logger(label: "nfs-test"))
        try server.serve(export("a"))
        #expect(waitUntil(5) { running().count == 1 })
        // A crash: the restart timer is set for 1 s from now.
        let first = try #require(running().first)
        kill(first, SIGKILL)
        usleep(200_000)
        // A reload before the timer starts the new exports at once; a second one stops that process (3 s),
        // and the stale restart timer fires in the middle of that stop.
        try server.serve(export("b"))
        #expect(waitUntil(3) { running().count == 1 })
        usleep(300_000)
        try server.serve(export("c"))
        // Long enough for the timer, the old process's exit and the new start.
        usleep(4_500_000)
        #expect(waitUntil(2) { running().count == 1 })
        #expect(running().count == 1, "nfs-ganesha processes running: \(running().count)")
        server.stop()
        #expect(waitUntil(6) { running().isEmpty })
        for pid in running() { kill(pid, SIGKILL) }
    }
}
