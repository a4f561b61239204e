import Glibc
@testable import Integrity
import Stats
import Testing

/// ``SendRates`` against three independent Stats `DecayedRate`s (1 min, 1 h, 24 h) fed the same
/// arrivals: the shared clock and the powers of one `exp` must give the same counts and rates.
@Suite struct SendRatesTests {
    /// Relative closeness within `tolerance`, with an absolute floor for values that decayed to
    /// (nearly) nothing. Counts get 10⁻¹¹: a factor's error (≤ ~5·10⁻¹³, `exp`'s raised to the
    /// 1 440th for the 1-minute rate) is amplified up to τ/Δt-fold in a count of a steady stream.
    static func close(_ a: Double, _ b: Double, _ tolerance: Double = 1e-11) -> Bool {
        abs(a - b) <= tolerance * max(abs(a), abs(b)) || abs(a - b) < 1e-290
    }

    @Test func eachDecayFactorIsWithinAFewUlpsOfItsOwnExp() {
        // Gaps from 1 ms to past every guard, ~1 000 per decade.
        var elapsed = 1.0
        while elapsed < 1e11 {
            let factors = SendRates.decays(after: elapsed)
            #expect(Self.close(factors.minute, exp(-elapsed / 60_000), 1e-12), "1 min after \(elapsed) ms")
            #expect(Self.close(factors.hour, exp(-elapsed / 3_600_000), 1e-12), "1 h after \(elapsed) ms")
            #expect(factors.day == exp(-elapsed / 86_400_000), "24 h after \(elapsed) ms")
            elapsed *= 1.0023
        }
    }

    /// Feeds `times` to both and checks every count after every arrival, and the rates a while after.
    static func expectSame(_ times: [Int64], sourceLocation: SourceLocation = #_sourceLocation) {
        var shared = SendRates()
        var minute = DecayedRate(timeConstantMilliseconds: 60_000)
        var hour = DecayedRate(timeConstantMilliseconds: 3_600_000)
        var day = DecayedRate(timeConstantMilliseconds: 86_400_000)
        for (index, time) in times.enumerated() {
            shared.record(at: time)
            minute.record(at: time)
            hour.record(at: time)
            day.record(at: time)
            let rates = shared.rates
            for (mine, theirs, name) in [(rates.minute, minute, "1 min"), (rates.hour, hour, "1 h"), (rates.day, day, "24 h")] {
                #expect(mine.state.lastTime == theirs.state.lastTime, "\(name) clock after arrival \(index)", sourceLocation: sourceLocation)
                #expect(close(mine.state.decayedCount, theirs.state.decayedCount),
                        "\(name) count after arrival \(index) at \(time): \(mine.state.decayedCount) vs \(theirs.state.decayedCount)",
                        sourceLocation: sourceLocation)
            }
        }
        guard let last = times.max() else { return }
        let rates = shared.rates
        for later in [last, last + 1_000, last + 90_000, last + 7_200_000] {
            #expect(close(rates.minute.rate(at: later), minute.rate(at: later)), sourceLocation: sourceLocation)
            #expect(close(rates.hour.rate(at: later), hour.rate(at: later)), sourceLocation: sourceLocation)
            #expect(close(rates.day.rate(at: later), day.rate(at: later)), sourceLocation: sourceLocation)
        }
    }

    @Test func aSteadyStreamMatchesThreeDecayedRates() {
        Self.expectSame((0..<3_000).map { Int64($0) * 1_000 })
    }

    @Test func irregularGapsFromMillisecondsToWeeksMatch() {
        // Gaps from 1 ms to 40 days, ties and arrivals that run back, from a fixed seed.
        var generator = SplitMix64(seed: 0x5E_0D_5A_7E)
        var time: Int64 = 1_700_000_000_000
        var times: [Int64] = []
        for _ in 0..<20_000 {
            let draw = generator.next()
            switch draw % 8 {
            case 0: time += 0                                                          // same millisecond
            case 1: time -= Int64((draw >> 40) & 0xFFFF)                                // out of order: no decay
            case 2: time += Int64((draw >> 20) % 3_600_000)                             // up to an hour
            case 3: time += Int64((draw >> 8) % (40 * 86_400_000))                      // up to 40 days
            default: time += Int64(draw >> 50)                                          // up to ~16 s
            }
            times.append(time)
        }
        Self.expectSame(times)
    }

    @Test func gapsAtTheUnderflowGuardsMatch() {
        // Either side of 700 time constants of 1 min and of 1 h (where the powers are cut to 0),
        // and far beyond the day's, where `exp` itself underflows.
        let minute: Int64 = 60_000, hour: Int64 = 3_600_000
        var times: [Int64] = [0]
        for gap: Int64 in [700 * minute - 1, 700 * minute, 700 * minute + 1, 710 * minute, 700 * hour - 1, 700 * hour, 746 * hour,
                    800 * 86_400_000, 1, 2] as [Int64] {
            times.append((times.last ?? 0) + gap)
            times.append((times.last ?? 0) + 500)
        }
        Self.expectSame(times)
        #expect(SendRates.decays(after: Double(700 * minute)).minute == 0)
        #expect(SendRates.decays(after: Double(700 * minute - 1)).minute > 0)
        #expect(SendRates.decays(after: Double(700 * hour)).hour == 0)
        #expect(SendRates.decays(after: Double(700 * hour - 1)).hour > 0)
        #expect(SendRates.decays(after: 0) == (1, 1, 1))
    }

    @Test func statesRoundTripAndRatesWithDifferentClocksAreRefused() throws {
        var rates = SendRates()
        for time: Int64 in [5, 9_000, 9_000, 70_000] { rates.record(at: time) }
        let parts = rates.rates
        let resumed = try #require(SendRates(minute: parts.minute.state, hour: parts.hour.state, day: parts.day.state))
        #expect(resumed == rates)
        #expect(resumed.lastTime == 70_000)
        #expect(SendRates(minute: parts.minute.state, hour: .init(decayedCount: 1, lastTime: 69_999), day: parts.day.state) == nil)
        #expect(SendRates(minute: .init(decayedCount: -1, lastTime: 70_000), hour: parts.hour.state, day: parts.day.state) == nil)
        #expect(SendRates(minute: parts.minute.state, hour: parts.hour.state, day: .init(decayedCount: .nan, lastTime: 70_000)) == nil)
        #expect(SendRates(minute: .init(decayedCount: 0, lastTime: nil), hour: .init(decayedCount: 0, lastTime: nil),
                          day: .init(decayedCount: 0, lastTime: nil)) == SendRates())
    }
}
