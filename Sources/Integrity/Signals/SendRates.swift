import Glibc
import Stats

/// A business's send rate over 1 minute, 1 hour and 24 hours: three exponentially decayed counts
/// with Stats' `DecayedRate` semantics (an arrival after Δt updates `c ← e^(−Δt/τ)·c + 1`; one
/// that is not later than the previous does not decay), which always see the same arrivals and so
/// share one clock. Their time constants divide each other — 24 h = 24 · 1 h, 1 h = 60 · 1 min —
/// so one `exp` serves all three: `e^(−Δt/1 h) = (e^(−Δt/24 h))^24` and
/// `e^(−Δt/1 min) = (e^(−Δt/1 h))^60`, by squarings (13 multiplications instead of two `exp`;
/// the 1-minute power's relative error, `exp`'s raised to the 1 440th, stays below ~5·10⁻¹³).
/// Every business-to-user message records here.
struct SendRates: Sendable, Equatable {
    static let minute = 60_000.0
    static let hour = 3_600_000.0
    static let day = 86_400_000.0

    /// The decayed counts at ``lastTime``.
    private(set) var overMinute = 0.0
    private(set) var overHour = 0.0
    private(set) var overDay = 0.0
    /// The time of the latest decay step, nil before the first arrival.
    private(set) var lastTime: Int64?

    init() {}

    /// Records one message at `time`.
    @inline(__always)
    mutating func record(at time: Int64) {
        if let last = lastTime, time > last {
            let factors = Self.decays(after: Double(time - last))
            overMinute = overMinute * factors.minute + 1
            overHour = overHour * factors.hour + 1
            overDay = overDay * factors.day + 1
            lastTime = time
            return
        }
        if lastTime == nil { lastTime = time }
        overMinute += 1
        overHour += 1
        overDay += 1
    }

    /// `e^(−elapsed/τ)` for τ = 1 min, 1 h and 24 h. A power whose value would be below ~10⁻³⁰⁴
    /// (700 time constants) is 0, as `exp` nearly makes it: the squarings then never pass through
    /// subnormal numbers, which are slow to multiply.
    @inline(__always)
    static func decays(after elapsed: Double) -> (minute: Double, hour: Double, day: Double) {
        let day = exp(-elapsed / Self.day)
        guard elapsed < 700 * Self.hour else { return (0, 0, day) }
        let day2 = day * day, day4 = day2 * day2, day8 = day4 * day4
        let hour = day8 * day8 * day8
        guard elapsed < 700 * Self.minute else { return (0, hour, day) }
        let hour2 = hour * hour, hour4 = hour2 * hour2, hour8 = hour4 * hour4
        let hour16 = hour8 * hour8, hour32 = hour16 * hour16
        return (hour32 * hour16 * hour8 * hour4, hour, day)
    }

    /// The three counts as `DecayedRate`s (for reading rates and for snapshots).
    var rates: (minute: DecayedRate, hour: DecayedRate, day: DecayedRate) {
        (DecayedRate(timeConstantMilliseconds: Self.minute, state: .init(decayedCount: overMinute, lastTime: lastTime)),
         DecayedRate(timeConstantMilliseconds: Self.hour, state: .init(decayedCount: overHour, lastTime: lastTime)),
         DecayedRate(timeConstantMilliseconds: Self.day, state: .init(decayedCount: overDay, lastTime: lastTime)))
    }

    /// Rates resumed from their states, which must share their clock (as ``rates`` gives them);
    /// nil if they do not or a count is negative or not finite.
    init?(minute: DecayedRate.State, hour: DecayedRate.State, day: DecayedRate.State) {
        guard minute.lastTime == hour.lastTime, hour.lastTime == day.lastTime else { return nil }
        for count in [minute.decayedCount, hour.decayedCount, day.decayedCount] where !(count.isFinite && count >= 0) {
            return nil
        }
        overMinute = minute.decayedCount
        overHour = hour.decayedCount
        overDay = day.decayedCount
        lastTime = minute.lastTime
    }
}
