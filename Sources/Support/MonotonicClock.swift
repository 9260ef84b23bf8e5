import Synchronization

// One rule for time: an interval (a throttle's window, a timeout, how long something took) is measured on a
// monotonic clock, which a change of the wall clock (NTP, an administrator, a VM resumed) cannot move; wall time
// (`Date`) is only for a time that is shown.

/// A monotonic time source for intervals: the system's `ContinuousClock`, or a hand-moved one in tests.
public struct MonotonicClock: Sendable {
    private let read: @Sendable () -> ContinuousClock.Instant

    /// A clock read through `read`, which must never go back.
    public init(_ read: @escaping @Sendable () -> ContinuousClock.Instant) {
        self.read = read
    }

    /// The system's monotonic clock (`ContinuousClock`).
    public static let continuous = MonotonicClock { ContinuousClock.now }

    /// The instant now.
    public func now() -> ContinuousClock.Instant { read() }
}

/// A monotonic clock that moves only when told to (`advance(by:)`): tests use it instead of sleeping.
public final class ManualClock: Sendable {
    private let instant: Mutex<ContinuousClock.Instant>

    /// Starts at `start` (by default the system clock's now, so instants compare with real ones).
    public init(start: ContinuousClock.Instant = .now) {
        instant = Mutex(start)
    }

    /// The instant the clock shows.
    public var now: ContinuousClock.Instant { instant.withLock { $0 } }

    /// Moves the clock forward by `duration`.
    public func advance(by duration: Duration) {
        instant.withLock { $0 += duration }
    }

    /// The clock to inject.
    public var clock: MonotonicClock { MonotonicClock { self.now } }
}
