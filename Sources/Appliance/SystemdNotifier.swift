import Control
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// sd_notify(3) without libsystemd: datagrams to $NOTIFY_SOCKET (a path, or `@name` for the abstract
/// namespace) telling systemd the service is ready, reloading or stopping. Does nothing outside systemd.
struct SystemdNotifier: Sendable {
    private let path: String?

    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        path = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
    }

    func ready(status: String) { send("READY=1\nSTATUS=\(status)") }

    /// Type=notify services announce a reload and say READY=1 again once it is done.
    func reloading() {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        send("RELOADING=1\nMONOTONIC_USEC=\(Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1000)")
    }

    func stopping() { send("STOPPING=1") }

    private func send(_ message: String) {
        guard let path, let address = UnixSocketAddress(path) else { return }
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        // Never waits: a reload must not stall on a service manager that is slow to read its socket.
        _ = message.withCString { text in
            address.withSockaddr { sendto(descriptor, text, strlen(text), Int32(MSG_DONTWAIT), $0, $1) }
        }
    }
}
