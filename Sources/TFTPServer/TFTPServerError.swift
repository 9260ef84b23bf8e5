import Glibc

/// Why the TFTP service could not set something up: a socket, a port, the transfer loop's eventfd.
struct TFTPServerError: Error, CustomStringConvertible {
    let description: String

    init(description: String) { self.description = description }

    /// A failed system call, with errno's text.
    init(call: String) { description = "\(call): \(String(cString: strerror(errno)))" }
}
