/// When pseudonym keys rotate and when they are destroyed, on event time.
///
/// Epoch `e` covers `[e·rotation, (e+1)·rotation)` in milliseconds since the Unix epoch; its key
/// pseudonymizes every event of that span. The key of epoch `e − 1` is kept, for look-ups only,
/// during the first `grace` of epoch `e` (so a contact made just before a rotation still proves
/// contact just after it), then destroyed. No key outlives `rotation + grace`.
public struct KeySchedule: Sendable, Hashable {
    /// Epoch length in milliseconds (default 30 days).
    public let rotationMilliseconds: Int64
    /// How long the previous epoch's key is kept for look-ups (default 7 days, less than an epoch).
    public let graceMilliseconds: Int64

    /// A schedule problem.
    public struct InvalidSchedule: Error, Sendable, Hashable, CustomStringConvertible {
        /// What is wrong.
        public let description: String
    }

    /// A schedule; `grace` must be in `0..<rotation` and `rotation` at least one minute.
    public init(rotationMilliseconds: Int64 = 30 * 86_400_000, graceMilliseconds: Int64 = 7 * 86_400_000) throws(InvalidSchedule) {
        guard rotationMilliseconds >= 60_000 else {
            throw InvalidSchedule(description: "key rotation must be at least one minute, got \(rotationMilliseconds) ms")
        }
        guard graceMilliseconds >= 0, graceMilliseconds < rotationMilliseconds else {
            throw InvalidSchedule(description: "key grace must be in 0 ..< rotation (\(rotationMilliseconds) ms), got \(graceMilliseconds) ms")
        }
        self.rotationMilliseconds = rotationMilliseconds
        self.graceMilliseconds = graceMilliseconds
    }

    /// The default schedule: 30-day epochs, 7-day grace.
    public static let standard: KeySchedule = {
        guard let schedule = try? KeySchedule() else { preconditionFailure("the default schedule is valid") }
        return schedule
    }()

    /// The epoch holding `time`.
    public func epoch(at time: Int64) -> Int64 {
        let quotient = time / rotationMilliseconds
        return time % rotationMilliseconds < 0 ? quotient - 1 : quotient
    }

    /// The first millisecond of `epoch`.
    public func start(of epoch: Int64) -> Int64 { epoch * rotationMilliseconds }

    /// Whether the previous epoch's key is still kept at `time`.
    public func isInGrace(at time: Int64) -> Bool {
        time - start(of: epoch(at: time)) < graceMilliseconds
    }

    /// The epochs whose keys may exist at `time`: the current one, and the previous one during grace.
    public func liveEpochs(at time: Int64) -> ClosedRange<Int64> {
        let current = epoch(at: time)
        return (isInGrace(at: time) ? current - 1 : current)...current
    }
}
