import DHCP
import NIOCore

/// Where the DHCP handler makes lease changes durable: the journal, PostgreSQL, or a fake in tests.
public protocol LeaseStore: AnyObject, Sendable {
    /// Makes `changes` durable, in order, as one unit (one fdatasync, one database transaction). The future fails
    /// when none of them may be acknowledged; it succeeds with the ones refused, which must not be acknowledged
    /// either. Called from the DHCP event loop; the future completes on `loop`.
    func commit(_ changes: [LeaseChange], on loop: any EventLoop) -> EventLoopFuture<LeaseCommitResult>

    /// Whether pool clients can be served now. A shared database that cannot be reached cannot guarantee that
    /// no address goes to two clients, so pool clients get no answer until it returns.
    var poolAvailable: Bool { get }

    /// The RFC 3074 share this appliance answers now, nil when it answers every pool client (a single appliance).
    var loadBalance: LoadBalance? { get }

    /// The store's state for `netroot status` and `/metrics`.
    var health: LeaseStoreHealth { get }
}

/// One lease change to make durable, and whether it is a known node's (answered from the inventory alone).
public struct LeaseChange: Sendable, Equatable {
    public var update: LeaseUpdate
    /// The node's name when the client is in the inventory: its reservation never waits for a shared database.
    public var node: String?

    public init(_ update: LeaseUpdate, node: String? = nil) {
        self.update = update
        self.node = node
    }
}

/// What a successful commit refused, by the change's index; every other change is durable.
public struct LeaseCommitResult: Sendable, Equatable {
    /// Why a change was refused.
    public enum Refusal: Sendable, Equatable {
        /// Another client holds the address (in the shared database): its lease, so the caller can learn it.
        case heldBy(Lease?)
        /// The shared database cannot be reached and a pool binding cannot wait for it.
        case storeUnavailable
    }

    public var refused: [Int: Refusal]

    public init(refused: [Int: Refusal] = [:]) { self.refused = refused }

    public static let allDurable = LeaseCommitResult()
}

/// Why lease changes did not become durable, with the system's or the database's reason.
public struct LeaseStoreError: Error, CustomStringConvertible, Sendable {
    public let description: String

    public init(description: String) { self.description = description }
}

/// A lease store's state as `netroot status` and `/metrics` show it.
public struct LeaseStoreHealth: Sendable, Codable, Equatable {
    /// `journal` or `postgresql`.
    public var backend: String
    /// Where the leases are: the journal's path, or the database URL without its password.
    public var location: String
    /// False while a shared database cannot be reached.
    public var up: Bool
    /// Since when the store is in its current state (Unix seconds); nil for the journal.
    public var since: Double?
    /// Why the database cannot be reached.
    public var error: String?
    /// Known nodes' records journaled locally while the database was down, not yet copied to it.
    public var waiting: Int
    /// The appliances sharing the database, this one included; empty for the journal.
    public var appliances: [ApplianceState]
    /// Lease rows in the database netroot cannot read (an address that is not IPv4, a MAC that does not parse, a
    /// NULL), skipped since start, each counted once; nil reads as 0 (a reply from before the count existed).
    public var unreadableRows: Int?
    /// Known nodes' changes made while the database was away that the local outbox, full, did not keep.
    public var droppedRecords: Int?

    public init(backend: String, location: String, up: Bool = true, since: Double? = nil, error: String? = nil,
                waiting: Int = 0, appliances: [ApplianceState] = [], unreadableRows: Int? = nil,
                droppedRecords: Int? = nil) {
        self.backend = backend
        self.location = location
        self.up = up
        self.since = since
        self.error = error
        self.waiting = waiting
        self.appliances = appliances
        self.unreadableRows = unreadableRows
        self.droppedRecords = droppedRecords
    }
}

/// One appliance of the shared database: whether its heartbeat is recent, and how old it is.
public struct ApplianceState: Sendable, Codable, Equatable {
    public var name: String
    public var address: String?
    public var alive: Bool
    /// Seconds since its last heartbeat, by the database's clock.
    public var heartbeatAge: Double
    /// This appliance.
    public var this: Bool

    public init(name: String, address: String?, alive: Bool, heartbeatAge: Double, this: Bool) {
        self.name = name
        self.address = address
        self.alive = alive
        self.heartbeatAge = heartbeatAge
        self.this = this
    }
}
