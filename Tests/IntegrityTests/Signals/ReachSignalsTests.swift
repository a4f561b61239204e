import Foundation
@testable import Integrity
import Testing
import Transport

/// Signals over hand-computed streams: every expected value is worked out in the comments.
@Suite struct ReachSignalsTests {
    typealias F = Fixture
    let b = F.business

    @Test func uniqueRecipientsCountDistinctUsersOverTheLast24Hours() throws {
        let analyzer = F.analyzer()
        // A twice, B once at t0; C at t0 + 12 h.
        F.feed(analyzer, [F.b2u(F.t0, F.user(1)), F.b2u(F.t0 + F.minute, F.user(1)), F.b2u(F.t0 + 2 * F.minute, F.user(2)),
                          F.b2u(F.t0 + 12 * F.hour, F.user(3))])
        #expect(analyzer.signals(for: b, at: F.t0 + 13 * F.hour)?.uniqueRecipients24h == 3)
        // 25 h after t0 only C (sent at +12 h) is inside the window.
        #expect(analyzer.signals(for: b, at: F.t0 + 25 * F.hour)?.uniqueRecipients24h == 1)
        #expect(analyzer.signals(for: b, at: F.t0 + 37 * F.hour)?.uniqueRecipients24h == 0)
    }

    @Test func businessInitiatedExcludesUsersWhoWroteInThePrevious24Hours() throws {
        let analyzer = F.analyzer()
        // A writes at t0 − 1 h: the reply at t0 is inside A's customer-service window.
        // B never wrote: business-initiated. C wrote 25 h before: the window has closed.
        F.feed(analyzer, [F.u2b(F.t0 - 25 * F.hour, F.user(3)), F.u2b(F.t0 - F.hour, F.user(1))])
        let toA = analyzer.ingest(F.b2u(F.t0, F.user(1), category: .service))
        let toB = analyzer.ingest(F.b2u(F.t0, F.user(2)))
        let toC = analyzer.ingest(F.b2u(F.t0, F.user(3)))
        #expect(toA?.businessInitiated == false)
        #expect(toB?.businessInitiated == true)
        #expect(toC?.businessInitiated == true)
        let signals = try #require(analyzer.signals(for: b, at: F.t0))
        #expect(signals.uniqueRecipients24h == 3)
        #expect(signals.businessInitiated24h == 2)
        #expect(signals.recentWriters24h == 1)  // A; C wrote 25 h ago
    }

    @Test func aUserCountsOnceAndStaysCountedFor24HoursAfterTheLatestInitiatedMessage() throws {
        let analyzer = F.analyzer()
        F.feed(analyzer, [F.b2u(F.t0, F.user(1)), F.b2u(F.t0 + 20 * F.hour, F.user(1))])
        #expect(analyzer.signals(for: b, at: F.t0 + 20 * F.hour)?.businessInitiated24h == 1)
        #expect(analyzer.signals(for: b, at: F.t0 + 30 * F.hour)?.businessInitiated24h == 1)
        #expect(analyzer.signals(for: b, at: F.t0 + 45 * F.hour)?.businessInitiated24h == 0)
        #expect(analyzer.signals(for: b, at: F.t0 + 45 * F.hour)?.peakBusinessInitiated7d == 1)
    }

    @Test func theRingCountAgreesWithTheTable() throws {
        let analyzer = F.analyzer()
        for index in 0..<300 {
            let time = F.t0 + Int64(index) * 7 * F.minute
            if index % 3 == 0 { analyzer.ingest(F.u2b(time, F.user(index / 2))) }
            analyzer.ingest(F.b2u(time + F.second, F.user(index / 2)))
        }
        let state = try #require(analyzer.core.index[b].map { analyzer.core.businesses[$0] })
        let tick = TimeTicks.tick(state.lastSeen)
        var initiated = 0
        state.recent.forEach { if $0.isInitiated(now: tick) { initiated += 1 } }
        #expect(state.initiated.total == initiated)
        #expect(initiated > 0)
    }

    @Test func coldRecipientsNeverWroteToTheBusiness() throws {
        let analyzer = F.analyzer()
        // W wrote three days ago (outside any 24-hour window, still not cold); N never wrote.
        F.feed(analyzer, [F.u2b(F.t0 - 3 * F.day, F.user(1))])
        let warm = analyzer.ingest(F.b2u(F.t0, F.user(1)))
        let cold = analyzer.ingest(F.b2u(F.t0, F.user(2)))
        #expect(warm?.coldRecipient == false && cold?.coldRecipient == true)
        let signals = try #require(analyzer.signals(for: b, at: F.t0))
        #expect(signals.coldRecipients24h == 1)
        #expect(signals.coldRecipientShare == 0.5)
        #expect(signals.businessInitiated24h == 2)  // W's window closed long ago
    }

    @Test func replyRateIsTheShareOfRecipientsWhoWroteBack() throws {
        let analyzer = F.analyzer()
        F.feed(analyzer, [F.b2u(F.t0, F.user(1)), F.b2u(F.t0, F.user(2)), F.b2u(F.t0, F.user(3)), F.b2u(F.t0, F.user(4))])
        let reply = analyzer.ingest(F.u2b(F.t0 + F.hour, F.user(2)))
        #expect(reply?.reply == true)
        #expect(analyzer.ingest(F.u2b(F.t0 + F.hour, F.user(9)))?.reply == false)
        #expect(analyzer.signals(for: b, at: F.t0 + 2 * F.hour)?.replyRate24h == 0.25)
    }

    @Test func reachIsTheShareOfAllActiveUsers() throws {
        let analyzer = F.analyzer()
        // 10 users active anywhere (6 only with another business); the business reached 4.
        for index in 0..<4 { analyzer.ingest(F.b2u(F.t0, F.user(index))) }
        for index in 4..<10 { analyzer.ingest(F.u2b(F.t0, F.user(index), business: F.otherBusiness)) }
        let signals = try #require(analyzer.signals(for: b, at: F.t0 + F.minute))
        #expect(signals.activeUsers24h.rounded() == 10)
        #expect(close(signals.reach24h, 0.4, 0.01))
    }

    @Test func sendRatesAreExponentiallyDecayedCounts() throws {
        let analyzer = F.analyzer()
        // One message per second for 60 s. With τ = 60 s the decayed count at the last message is
        // Σ_{k=0}^{59} e^(−k/60) = (1 − e^(−1)) / (1 − e^(−1/60)); the rate is that / 60 per second.
        for second in 0..<60 { analyzer.ingest(F.b2u(F.t0 + Int64(second) * F.second, F.user(second))) }
        let at = F.t0 + 59 * F.second
        let signals = try #require(analyzer.signals(for: b, at: at))
        let expected1m = (1 - exp(-1.0)) / (1 - exp(-1.0 / 60)) / 60
        let expected1h = (1 - exp(-60.0 / 3600)) / (1 - exp(-1.0 / 3600)) / 3600
        #expect(close(signals.sendRate1m, expected1m, 1e-9))
        #expect(close(signals.sendRate1h, expected1h, 1e-9))
    }

    @Test func burstsCountTheLast15SecondsAndRememberTheDaysPeak() throws {
        let analyzer = F.analyzer()
        // 20 messages in 10 s, then 3 more 40 s later.
        for index in 0..<20 { analyzer.ingest(F.b2u(F.t0 + Int64(index) * 500, F.user(index))) }
        #expect(analyzer.signals(for: b, at: F.t0 + 10 * F.second)?.burst15s == 20)
        for index in 0..<3 { analyzer.ingest(F.b2u(F.t0 + 50 * F.second + Int64(index), F.user(100 + index))) }
        let later = try #require(analyzer.signals(for: b, at: F.t0 + 51 * F.second))
        #expect(later.burst15s == 3)
        #expect(later.peakBurst15s24h == 20)
        #expect(analyzer.liveCounters(for: b)?.burst15s == 3)
    }

    @Test func deliveredAndReadRatesArePerMessage() throws {
        let analyzer = F.analyzer()
        // 4 sent, 2 delivered, 1 read within seconds (decay over seconds of a 24-hour τ is < 1e-4).
        for index in 0..<4 { analyzer.ingest(F.b2u(F.t0 + Int64(index), F.user(index))) }
        F.feed(analyzer, [F.delivered(F.t0 + F.second, F.user(0)), F.delivered(F.t0 + F.second, F.user(1)),
                          F.read(F.t0 + 2 * F.second, F.user(0))])
        let signals = try #require(analyzer.signals(for: b, at: F.t0 + 2 * F.second))
        #expect(close(signals.deliveredRate24h, 0.5, 1e-4))
        #expect(close(signals.readRate24h, 0.5, 1e-4))
    }

    @Test func beyondTheTableTheCountsAreAUniformSampleScaledUp() throws {
        let analyzer = F.analyzer()
        // 5 000 distinct recipients in 10 minutes: the 512-slot table samples (level ≥ 3).
        for index in 0..<5000 { analyzer.ingest(F.b2u(F.t0 + Int64(index) * 100, F.user(index))) }
        let signals = try #require(analyzer.signals(for: b, at: F.t0 + 10 * F.minute))
        #expect(signals.samplingLevel24h >= 3)
        // Relative standard error ≈ 1/√(sample) with ≥ 192 sampled users: 7 %; allow 4σ.
        #expect(abs(signals.uniqueRecipients24h - 5000) < 5000 * 0.29, "\(signals.uniqueRecipients24h)")
        #expect(abs(signals.businessInitiated24h - 5000) < 5000 * 0.29)
        #expect(signals.businessInitiated24h == signals.uniqueRecipients24h)
        // The daily peaks take the estimate as an integer (sampled count × 2^level, no rounding).
        let state = try #require(analyzer.core.index[b].map { analyzer.core.businesses[$0] })
        #expect(state.recent.level >= 3 && state.initiated.total > 0)
        #expect(state.businessInitiatedCount24h == state.initiated.total << state.recent.level)
        #expect(Double(state.businessInitiatedCount24h) == state.businessInitiated24h)
        #expect(signals.peakBusinessInitiated7d >= signals.businessInitiated24h)
    }
}
