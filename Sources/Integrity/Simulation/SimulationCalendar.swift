/// Simulated time: a fixed week in event time, and the daily rhythm of people.
enum SimulationCalendar {
    /// One hour in milliseconds.
    static let hour: Int64 = 3_600_000
    /// One day in milliseconds.
    static let day: Int64 = 24 * hour
    /// Every simulation starts at Monday 2025-03-03 00:00 UTC (ms since the Unix epoch), so the
    /// same seed gives the same file on any machine on any date.
    static let start: Int64 = 1_740_960_000_000
    /// And lasts one week: the quality rating's window.
    static let duration: Int64 = 7 * day
    /// The end of the capture; events at or after it are not written.
    static let end: Int64 = start + duration

    /// Relative activity of people by local hour (1 at the evening and midday peaks, a few percent
    /// at 3 am), the shape of messaging traffic over a day.
    static let activityByHour: [Double] = [
        0.10, 0.05, 0.03, 0.02, 0.02, 0.05, 0.20, 0.45, 0.70, 0.85, 0.92, 0.97,
        1.00, 0.95, 0.90, 0.88, 0.90, 0.95, 1.00, 1.00, 0.95, 0.80, 0.55, 0.25,
    ]

    /// The sum of ``activityByHour``: an hour's share of a day's traffic is its weight over this.
    static let activityPerDay: Double = activityByHour.reduce(0, +)

    /// The local hour (0…23) at `time` for a place `utcOffsetMinutes` from UTC.
    static func localHour(at time: Int64, utcOffsetMinutes: Int) -> Int {
        let local = time + Int64(utcOffsetMinutes) * 60_000
        let withinDay = ((local % day) + day) % day
        return Int(withinDay / hour)
    }

    /// How active people are at `time` in a place `utcOffsetMinutes` from UTC (0…1).
    static func activity(at time: Int64, utcOffsetMinutes: Int) -> Double {
        activityByHour[localHour(at: time, utcOffsetMinutes: utcOffsetMinutes)]
    }

    /// The UTC time of local `hour` (fractional) on day `day` of the simulation in a place
    /// `utcOffsetMinutes` from UTC.
    static func time(day: Int, localHour hour: Double, utcOffsetMinutes: Int) -> Int64 {
        start + Int64(day) * Self.day + Int64(hour * Double(Self.hour)) - Int64(utcOffsetMinutes) * 60_000
    }
}
