import Integrity
import Testing
import Transport

/// The warped clock of `vigil serve --time-scale` and `vigil demo --speed`: a continuous,
/// non-decreasing map from wall time to event time; and admission with windows on event time but
/// the per-second rates on wall time.
@Suite struct TimeWarpTests {
    typealias F = Fixture
    static let week: Int64 = 7 * 86_400_000

    @Test func aWeekInAMinuteThenWallSpeedAheadByWhatItGained() throws {
        var warp = try TimeWarp(factor: 10_080, span: 60_000)
        let start: Int64 = 1_767_225_600_000
        // Not begun: event time is wall time.
        #expect(warp.eventTime(atWall: start) == start)
        #expect(!warp.isWarping(atWall: start))
        warp.begin(at: start)
        warp.begin(at: start + 5_000)  // the first begin wins
        #expect(warp.start == start)
        #expect(warp.eventTime(atWall: start - 1_000) == start - 1_000, "before the start: wall time")
        #expect(warp.eventTime(atWall: start) == start)
        #expect(warp.eventTime(atWall: start + 1) == start + 10_080)
        #expect(warp.eventTime(atWall: start + 30_000) == start + Self.week / 2)
        #expect(warp.eventTime(atWall: start + 60_000) == start + Self.week)
        #expect(warp.isWarping(atWall: start + 59_999) && !warp.isWarping(atWall: start + 60_000))
        // After the span: wall speed, a week ahead.
        #expect(warp.eventTime(atWall: start + 61_000) == start + Self.week + 1_000)
        #expect(warp.eventSpan == Self.week)
    }

    @Test(arguments: [1.0, 2.5, 10_080, 1_000_000])
    func eventTimeNeverStepsBack(factor: Double) throws {
        var warp = try TimeWarp(factor: factor, span: 10_000)
        warp.begin(at: 1_000_000)
        var previous = Int64.min
        for wall in stride(from: Int64(990_000), through: 1_020_000, by: 7) {
            let event = warp.eventTime(atWall: wall)
            #expect(event >= previous, "factor \(factor) at wall \(wall)")
            #expect(event >= wall, "never behind wall time")
            previous = event
        }
    }

    @Test func aWarpWithoutEndKeepsTheFactorAndFactor1IsTheIdentity() throws {
        var endless = try TimeWarp(factor: 3)
        endless.begin(at: 0)
        #expect(endless.eventTime(atWall: 86_400_000) == 3 * 86_400_000 && endless.eventSpan == nil)
        var identity = try TimeWarp(factor: 1, span: 5)
        identity.begin(at: 100)
        #expect([0, 100, 103, 105, 1_000].map { identity.eventTime(atWall: $0) } == [0, 100, 103, 105, 1_000])
    }

    @Test func badFactorsAndSpansAreTypedErrors() {
        for factor in [0, 0.5, -3, .infinity, 1_000_001] {
            #expect(throws: TimeWarpError.factorOutOfRange(factor)) { try TimeWarp(factor: factor) }
        }
        #expect(throws: TimeWarpError.self) { try TimeWarp(factor: .nan) }
        #expect(throws: TimeWarpError.negativeSpan(-1)) { try TimeWarp(factor: 2, span: -1) }
        #expect(TimeWarpError.factorOutOfRange(0).description == "the time scale must be a number from 1 to 1000000, got 0.0")
    }

    /// With event time 10 080× wall time, a business sending 80 messages in one real second at
    /// event times 10 080 ms apart: on event time alone that is under one message per event
    /// second, so nothing would be refused; on the wall-time rate clock the 81st is refused (130429)
    /// with a real-millisecond retry, and a real 13 ms later the next one goes.
    @Test func theThroughputLimitRunsOnTheRateClockWhileWindowsRunOnEventTime() {
        let analyzer = F.analyzer()
        let wall = F.t0
        for index in 0..<80 {
            let event = F.t0 + Int64(index) * 10_080
            #expect(analyzer.admission(sender: F.business, recipient: F.user(index), category: .marketing, time: event, rateTime: wall) == nil, "\(index)")
        }
        let refused = analyzer.admission(sender: F.business, recipient: F.user(80), category: .marketing, time: F.t0 + 80 * 10_080, rateTime: wall)
        #expect(refused == .throughput(perSecond: 80, retryAfterMilliseconds: 13))
        #expect(analyzer.admission(sender: F.business, recipient: F.user(81), category: .marketing, time: F.t0 + 81 * 10_080, rateTime: wall + 13) == nil)

        // The same event times without a rate clock: 80 messages over 13 event minutes conform.
        let unwarped = F.analyzer()
        for index in 0...80 {
            let event = F.t0 + Int64(index) * 10_080
            #expect(unwarped.admission(sender: F.business, recipient: F.user(index), category: .marketing, time: event) == nil, "\(index)")
        }
    }

    /// The pair rate (45 burst, then one per 6 s) likewise follows the rate clock, while the
    /// tier's 24-hour window follows event time: 25 event hours later the same user is a new
    /// business-initiated conversation, but its pair bucket is still empty on the wall clock.
    @Test func thePairRateRunsOnTheRateClock() {
        let analyzer = F.analyzer()
        let user = F.user(1)
        for index in 0..<45 {
            let event = F.t0 + Int64(index) * F.hour
            #expect(analyzer.admission(sender: F.business, recipient: user, category: .utility, time: event, rateTime: F.t0 + Int64(index)) == nil)
        }
        let refused = analyzer.admission(sender: F.business, recipient: user, category: .utility, time: F.t0 + 45 * F.hour, rateTime: F.t0 + 45)
        #expect(refused?.metaCode == 131056)
        if case let .pairRate(wait)? = refused { #expect(wait > 5_900 && wait <= 6_000, "a real-time wait: \(wait) ms") }
    }
}
