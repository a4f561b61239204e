/// One alert's lifecycle as a pure state machine on event time: inactive → pending → firing →
/// (resolved) inactive, Prometheus's rule semantics plus hysteresis.
///
/// - A breaching condition makes the alert *pending*; if it is still breaching `for` later, the
///   alert *fires* (``Action/fire(startsAt:)``, `startsAt` = when it became pending, as
///   Prometheus's `activeAt`). A pending alert whose condition stops breaching goes back to
///   inactive without a word: short flaps never reach a sink.
/// - A firing alert keeps firing while its value *holds* (is above the lower, hysteresis
///   threshold), even when it dips under the firing threshold; once it has stayed below for
///   `resolveAfter` it *resolves* (``Action/resolve(startsAt:endsAt:)``).
/// - A resolved alert that breaches again goes through pending again and fires with a new
///   `startsAt` — the same alert (same labels, same fingerprint) to every sink.
///
/// 24 bytes; no I/O, no clock: time is an argument.
struct AlertLifecycle: Sendable, Hashable {
    /// Where the alert is.
    enum Phase: UInt8, Sendable, Hashable {
        /// The condition does not hold.
        case inactive
        /// The condition holds, not yet for long enough.
        case pending
        /// Sent to the sinks as firing.
        case firing
    }

    /// What the sink side must do after an evaluation.
    enum Action: Sendable, Hashable {
        /// Nothing changed that a sink sees.
        case none
        /// Send a firing alert.
        case fire(startsAt: Int64)
        /// Send a resolved alert.
        case resolve(startsAt: Int64, endsAt: Int64)
    }

    /// The phase.
    private(set) var phase = Phase.inactive
    /// Pending or firing: when the condition started holding (the alert's `startsAt`).
    private(set) var since: Int64 = 0
    /// Firing: since when the value has been under the hysteresis threshold (`Int64.max`: not under).
    private(set) var belowSince: Int64 = .max

    /// An inactive alert.
    init() {}

    /// Evaluates the condition at `time`: `breaching` crosses the firing threshold, `holding` is
    /// above the lower threshold (breaching implies holding). `pendingFor` is Prometheus's `for`,
    /// `resolveAfter` how long a firing alert must stay below the lower threshold to resolve.
    mutating func evaluate(breaching: Bool, holding: Bool, at time: Int64, pendingFor: Int64, resolveAfter: Int64) -> Action {
        switch phase {
        case .inactive:
            guard breaching else { return .none }
            since = time
            phase = .pending
            return promote(at: time, pendingFor: pendingFor)
        case .pending:
            guard breaching else {
                phase = .inactive
                return .none
            }
            return promote(at: time, pendingFor: pendingFor)
        case .firing:
            if holding || breaching {
                belowSince = .max
                return .none
            }
            if belowSince == .max { belowSince = time }
            guard time - belowSince >= resolveAfter else { return .none }
            phase = .inactive
            belowSince = .max
            return .resolve(startsAt: since, endsAt: time)
        }
    }

    /// Resolves a firing alert at `time` whatever its condition (the end of a replay, an operator).
    mutating func forceResolve(at time: Int64) -> Action {
        defer {
            phase = .inactive
            belowSince = .max
        }
        return phase == .firing ? .resolve(startsAt: since, endsAt: time) : .none
    }

    private mutating func promote(at time: Int64, pendingFor: Int64) -> Action {
        guard time - since >= pendingFor else { return .none }
        phase = .firing
        belowSince = .max
        return .fire(startsAt: since)
    }
}
