import DHCP

/// Where the DHCP handler makes lease changes durable: the lease journal, or a fake in tests.
public protocol LeaseStore: AnyObject {
    /// Writes `updates` and returns once they are on disk; throws, keeping none of them, when they are not.
    /// Called from one thread at a time: the DHCP event loop.
    func append(_ updates: [LeaseUpdate]) throws(LeaseStoreError)
}

/// Why lease changes did not reach the disk, with the system's reason ("No space left on device").
public struct LeaseStoreError: Error, CustomStringConvertible, Sendable {
    public let description: String

    public init(description: String) { self.description = description }
}
