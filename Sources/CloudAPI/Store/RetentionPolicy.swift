public import Storage

/// How long the store keeps a day: pure date arithmetic, the clock is the caller's.
///
/// A day is kept while it is at most ``days`` days old: with the standard 30, the records of day 0
/// are readable through day 30 and destroyed from day 31 on (``MessageStore/expire(now:)``).
public struct RetentionPolicy: Sendable, Hashable {
    /// Meta's Cloud API limit: 30 days.
    public static let standard = RetentionPolicy(uncheckedDays: 30)

    /// How many days back from today are kept (today itself is age 0).
    public let days: Int

    private init(uncheckedDays days: Int) {
        self.days = days
    }

    /// A policy keeping `days` days back from today; `nil` unless `days` is in 1...30 (the store
    /// never keeps content longer than Meta's 30 days).
    public init?(days: Int) {
        guard (1...30).contains(days) else { return nil }
        self.days = days
    }

    /// The oldest day still kept at `now` (milliseconds since the Unix epoch).
    public func oldestRetainedDay(now: Int64) -> UTCDay {
        UTCDay(milliseconds: now).advanced(by: -days)
    }

    /// Whether `day` is still kept at `now`.
    public func retains(_ day: UTCDay, now: Int64) -> Bool {
        day >= oldestRetainedDay(now: now)
    }
}

extension UTCDay {
    /// The UTC day containing the instant `milliseconds` after the Unix epoch (floor division).
    init(milliseconds: Int64) {
        let (quotient, remainder) = milliseconds.quotientAndRemainder(dividingBy: 1000)
        self.init(secondsSince1970: remainder < 0 ? quotient - 1 : quotient)
    }

    /// Milliseconds in a day.
    static let milliseconds: Int64 = 86_400_000
}
