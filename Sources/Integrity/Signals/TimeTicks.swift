/// Per-business tables keep times as 16-bit counts of 10-minute ticks (wrapping every 455 days):
/// windows of 24 hours and 7 days are measured to the tick, and a table entry stays small.
///
/// A stored tick is read as an age relative to the current tick, modulo 2¹⁶; every table is
/// normalized (expired fields cleared) at least once a week of event time and flushed after a
/// silence longer than ``flushAfterMilliseconds``, so no live field is ever old enough to wrap.
enum TimeTicks {
    /// One tick: 10 minutes.
    static let milliseconds: Int64 = 600_000
    /// Ticks in 24 hours.
    static let day = 144
    /// Ticks in 7 days.
    static let week = 1008
    /// After this much silence (400 days) a business's tables are cleared rather than read.
    static let flushAfterMilliseconds: Int64 = 400 * 86_400_000

    /// The tick holding `time` (times are never negative: ``IntegrityEvent/timeRange``).
    @inline(__always)
    static func tick(_ time: Int64) -> Int64 { time / milliseconds }

    /// The 16 bits a table stores for `tick`.
    @inline(__always)
    static func stored(_ tick: Int64) -> UInt16 { UInt16(truncatingIfNeeded: tick) }

    /// How many ticks ago `stored` was, seen from `now` (0…65535).
    @inline(__always)
    static func age(_ stored: UInt16, now: Int64) -> Int {
        Int(UInt16(truncatingIfNeeded: now) &- stored)
    }
}
