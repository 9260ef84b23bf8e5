import BridgeNetlink
import CSyscalls
import Foundation
import Testing

/// `Netlink(namespace:)` reaches into a container's network namespace without moving the calling thread:
/// a thread left in the wrong namespace would carry on (back in a pool) opening sockets there.
@Suite(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip"),
                "needs root and iproute2 to make network namespaces"))
struct NamespaceSocketTests {
    /// What a thread of its own returned, read once it has signalled.
    final class Box<T>: @unchecked Sendable { var result: Result<T, any Error>? }

    /// Runs `body` on a thread of its own, which ends afterwards (it may be left in another namespace).
    static func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) throws -> T {
        let box = Box<T>()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            box.result = Result { try body() }
            done.signal()
        }
        thread.start()
        done.wait()
        return try box.result!.get()
    }

    /// The identity (inode) of the calling thread's network namespace.
    static func currentNamespace() throws -> UInt64 {
        var info = stat()
        try #require(stat("/proc/thread-self/ns/net", &info) == 0)
        return UInt64(info.st_ino)
    }

    /// A named namespace nrtest-…, its descriptor, deleted by `remove`.
    struct Namespace {
        let name = "nrtest-\(getpid())-\(UInt16.random(in: 0...UInt16.max))"
        var descriptor: Int32 = -1

        init() throws {
            try Self.ip("netns", "add", name)
            descriptor = open("/var/run/netns/\(name)", O_RDONLY | O_CLOEXEC)
            try #require(descriptor >= 0)
        }

        func remove() {
            close(descriptor)
            try? Self.ip("netns", "del", name)
        }

        static func ip(_ arguments: String...) throws {
            let process = try Process.run(URL(fileURLWithPath: "/usr/sbin/ip"), arguments: arguments)
            process.waitUntilExit()
            try #require(process.terminationStatus == 0, "ip \(arguments.joined(separator: " "))")
        }
    }

    /// A thread that lives in namespace A (not the process's) opens a socket in container namespace B: the
    /// socket sees B's links, and the thread is still in A afterwards, not in B and not in the main thread's.
    @Test func theCallingThreadStaysInItsOwnNamespace() throws {
        let own = try Namespace()
        defer { own.remove() }
        let container = try Namespace()
        defer { container.remove() }
        try Namespace.ip("-n", container.name, "link", "add", "nrtest0", "type", "veth", "peer", "name", "nrtest1")
        let (ownFD, containerFD, name) = (own.descriptor, container.descriptor, container.name)
        let mainNamespace = try Self.currentNamespace()

        let (before, after, links) = try Self.onOwnThread { () throws -> (UInt64, UInt64, [String]) in
            try #require(netroot_enter_network_namespace(ownFD) == 0)
            let before = try Self.currentNamespace()
            let netlink = try Netlink(namespace: containerFD, path: name)
            let links = try netlink.readState().links.map(\.name).sorted()
            return (before, try Self.currentNamespace(), links)
        }
        #expect(before != mainNamespace)
        #expect(after == before, "the thread was moved out of its own namespace")
        #expect(links == ["lo", "nrtest0", "nrtest1"])
        #expect(try Self.currentNamespace() == mainNamespace)
    }

    @Test func aNamespaceThatCannotBeEnteredThrows() throws {
        let notANamespace = open("/proc/self/status", O_RDONLY | O_CLOEXEC)
        defer { close(notANamespace) }
        let before = try Self.currentNamespace()
        #expect(throws: NetlinkError.self) { try Netlink(namespace: notANamespace, path: "/proc/self/status") }
        #expect(try Self.currentNamespace() == before)
    }
}
