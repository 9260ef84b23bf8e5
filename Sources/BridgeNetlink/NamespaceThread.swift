import Foundation

/// Runs work that enters another network namespace on a thread made for it, which ends with the work: a
/// thread's namespace is per thread (setns), and one that is never reused cannot carry a namespace it failed
/// to leave into unrelated work.
enum NamespaceThread {
    /// A libnl object handed from that thread to its caller, which owns it from then on.
    struct Handle: @unchecked Sendable { let pointer: OpaquePointer }

    /// `body`'s result, or its error, once the thread that ran it has finished.
    static func run(_ body: @escaping @Sendable () throws -> OpaquePointer) throws -> Handle {
        final class Outcome: @unchecked Sendable { var result: Result<Handle, any Error>? }
        let outcome = Outcome()
        let finished = DispatchSemaphore(value: 0)
        let thread = Thread {
            outcome.result = Result { Handle(pointer: try body()) }
            finished.signal()
        }
        thread.start()
        finished.wait()
        // The semaphore orders the thread's write before this read.
        return try outcome.result!.get()
    }
}
