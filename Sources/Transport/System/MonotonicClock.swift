import Glibc

/// A point on a monotonic time line, in nanoseconds from an arbitrary origin (boot for
/// `SystemClock`, 0 for a fresh `ManualClock`).
public struct MonotonicInstant: Comparable, Hashable, Sendable, CustomStringConvertible {
    /// Nanoseconds since the clock's origin.
    public let nanoseconds: UInt64

    /// The instant `nanoseconds` after the origin.
    public init(nanoseconds: UInt64) {
        self.nanoseconds = nanoseconds
    }

    /// The origin.
    public static let zero = MonotonicInstant(nanoseconds: 0)

    /// Orders instants by time.
    public static func < (lhs: MonotonicInstant, rhs: MonotonicInstant) -> Bool {
        lhs.nanoseconds < rhs.nanoseconds
    }

    /// `instant` moved by `duration`, saturating at the ends of the time line.
    public static func + (instant: MonotonicInstant, duration: Duration) -> MonotonicInstant {
        let delta = duration.nanosecondsClamped
        if delta >= 0 {
            let (sum, overflow) = instant.nanoseconds.addingReportingOverflow(UInt64(delta))
            return MonotonicInstant(nanoseconds: overflow ? .max : sum)
        }
        let magnitude = delta.magnitude
        return MonotonicInstant(nanoseconds: instant.nanoseconds > magnitude ? instant.nanoseconds - magnitude : 0)
    }

    /// The time from `rhs` to `lhs` (negative when `lhs` is earlier).
    public static func - (lhs: MonotonicInstant, rhs: MonotonicInstant) -> Duration {
        if lhs >= rhs {
            return .nanoseconds(Int64(clamping: lhs.nanoseconds - rhs.nanoseconds))
        }
        return .nanoseconds(-Int64(clamping: rhs.nanoseconds - lhs.nanoseconds))
    }

    /// "1.234567890s".
    public var description: String {
        let fraction = String(nanoseconds % 1_000_000_000)
        return "\(nanoseconds / 1_000_000_000).\(String(repeating: "0", count: 9 - fraction.count))\(fraction)s"
    }
}

/// Where an event loop (and everything on it: timers, idle and stall timeouts) gets the time.
///
/// Production uses `SystemClock` (`CLOCK_MONOTONIC`); tests use `ManualClock` and advance it,
/// so timeouts are exercised without sleeping.
public protocol MonotonicClock: Sendable {
    /// The current instant; never decreases.
    func now() -> MonotonicInstant
}

/// `CLOCK_MONOTONIC`: the time since boot, unaffected by wall-clock changes.
public struct SystemClock: MonotonicClock {
    /// The system's monotonic clock.
    public init() {}

    /// The current `CLOCK_MONOTONIC` time.
    ///
    /// The corresponding C function is `clock_gettime`.
    public func now() -> MonotonicInstant {
        var spec = timespec()
        let result = clock_gettime(CLOCK_MONOTONIC, &spec)
        precondition(result == 0, "clock_gettime(CLOCK_MONOTONIC) failed")
        return MonotonicInstant(nanoseconds: UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec))
    }
}

/// A clock that moves only when told to: for tests and simulations.
///
/// Advancing it does not wake an event loop sleeping in `epoll_wait`; call `EventLoop.wakeUp()`
/// (or `execute`) afterwards so the loop looks at the new time.
public final class ManualClock: MonotonicClock, Sendable {
    private let current: LockedValue<MonotonicInstant>

    /// A clock standing at `start`.
    public init(start: MonotonicInstant = .zero) {
        current = LockedValue(start)
    }

    /// The instant the clock stands at.
    public func now() -> MonotonicInstant {
        current.withLock { $0 }
    }

    /// Moves the clock forward by `duration` (which must not be negative).
    public func advance(by duration: Duration) {
        precondition(duration >= .zero, "a monotonic clock cannot go back")
        current.withLock { $0 = $0 + duration }
    }
}
