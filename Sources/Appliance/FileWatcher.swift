import Dispatch
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Tells when a file may have changed: inotify on its directory, because editors and `mv` replace the file
/// (a new inode) rather than write into it.
// @unchecked: a dispatch source may be cancelled from any thread.
final class FileWatcher: @unchecked Sendable {
    let changes: AsyncStream<Void>
    private let source: DispatchSourceRead
    private let counter = ChangeCounter()

    /// How many changes were seen so far: a reader that sees it move while it reads knows the file changed
    /// under it (an editor writing in place), even when the stream has coalesced the events.
    var changeCount: Int { counter.value.load(ordering: .acquiring) }

    /// Nil when inotify is unavailable; the server then reloads on SIGHUP only.
    init?(path: String) {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let directory = url.deletingLastPathComponent().path
        let name = url.lastPathComponent
        let descriptor = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard descriptor >= 0 else { return nil }
        let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_ATTRIB)
        guard inotify_add_watch(descriptor, directory, mask) >= 0 else {
            close(descriptor)
            return nil
        }
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        changes = stream
        source = DispatchSource.makeReadSource(fileDescriptor: descriptor, queue: DispatchQueue(label: "netroot.watch"))
        let counter = counter
        source.setEventHandler {
            guard Self.drain(descriptor, mentioning: name) else { return }
            counter.value.add(1, ordering: .releasing)
            continuation.yield()
        }
        source.setCancelHandler {
            close(descriptor)
            continuation.finish()
        }
        source.resume()
    }

    func cancel() { source.cancel() }

    /// Reads every pending event; true when one names the watched file.
    private static func drain(_ descriptor: Int32, mentioning name: String) -> Bool {
        var mentioned = false
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { return mentioned }
            var offset = 0
            let headerSize = MemoryLayout<inotify_event>.size
            while offset + headerSize <= count {
                let length = buffer.withUnsafeBytes {
                    Int($0.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self)) // inotify_event.len
                }
                let nameBytes = buffer[(offset + headerSize)..<min(count, offset + headerSize + length)]
                let eventName = String(decoding: nameBytes.prefix { $0 != 0 }, as: UTF8.self)
                if eventName == name { mentioned = true }
                offset += headerSize + length
            }
        }
    }
}

/// The watcher's change count, shared with its event handler.
private final class ChangeCounter: Sendable {
    let value = Atomic<Int>(0)
}
