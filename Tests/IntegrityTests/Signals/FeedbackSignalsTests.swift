@testable import Integrity
import Testing
import Transport

@Suite struct FeedbackSignalsTests {
    typealias F = Fixture
    let b = F.business

    /// Delivers to users 0..<count at `time`.
    static func deliver(_ analyzer: IntegrityAnalyzer, _ count: Int, at time: Int64, from first: Int = 0) {
        for index in first..<(first + count) {
            analyzer.ingest(F.b2u(time, F.user(index)))
            analyzer.ingest(F.delivered(time, F.user(index)))
        }
    }

    @Test func blockAndReportRatesArePerDeliveredUser() throws {
        let analyzer = F.analyzer()
        Self.deliver(analyzer, 10, at: F.t0)
        F.feed(analyzer, [F.block(F.t0, F.user(1), .spam), F.report(F.t0, F.user(2), .scam)])
        let signals = try #require(analyzer.signals(for: b, at: F.t0))
        // Everything is at age 0 (weight 1): 1 block / 10 users, 1 report / 10 users.
        #expect(signals.deliveredUsers7d == 10)
        #expect(close(signals.blockRate7d, 0.1))
        #expect(close(signals.reportRate7d, 0.1))
        // Score: (1 × spam block weight 1 + 1 × scam report weight 2) / (10 + 20 prior users) = 0.1.
        #expect(close(try #require(signals.qualityScore), 0.1))
        #expect(signals.blockReasons[.spam] == 1)
        #expect(signals.reportReasons[.scam] == 1)
    }

    @Test func olderEventsWeighLessHalfEvery48Hours() throws {
        let analyzer = F.analyzer()
        // Deliveries 48 h before the block weigh ½ each: 1 / (10 × ½) = 0.2.
        Self.deliver(analyzer, 10, at: F.t0 - 48 * F.hour)
        analyzer.ingest(F.block(F.t0, F.user(3), .didntSignUp))
        let signals = try #require(analyzer.signals(for: b, at: F.t0))
        #expect(close(signals.blockRate7d, 0.2))
        // Two days later the block weighs ½ and the deliveries ¼: still 0.2.
        #expect(close(try #require(analyzer.signals(for: b, at: F.t0 + 48 * F.hour)).blockRate7d, 0.2))
        // After 7 days from the deliveries there is no proof of contact left to rate against.
        #expect(try #require(analyzer.signals(for: b, at: F.t0 + 5 * F.day + F.hour)).deliveredUsers7d == 0)
    }

    @Test func theReasonMixIsTheShareOfWeightedBlocks() throws {
        let analyzer = F.analyzer()
        Self.deliver(analyzer, 10, at: F.t0)
        F.feed(analyzer, [F.block(F.t0, F.user(1), .spam), F.block(F.t0, F.user(2), .spam), F.block(F.t0, F.user(3), .didntSignUp)])
        let signals = try #require(analyzer.signals(for: b, at: F.t0))
        #expect(close(try #require(signals.blockReasons[.spam]), 2.0 / 3))
        #expect(close(try #require(signals.blockReasons[.didntSignUp]), 1.0 / 3))
        #expect(signals.blockReasons[.offensive] == 0)
    }

    @Test func feedbackCountsOncePerUserPerSevenDays() throws {
        let analyzer = F.analyzer()
        Self.deliver(analyzer, 5, at: F.t0)
        #expect(analyzer.ingest(F.report(F.t0 + F.minute, F.user(1)))?.feedback == .counted)
        #expect(analyzer.ingest(F.report(F.t0 + F.hour, F.user(1)))?.feedback == .duplicate)
        // A block from the same user is a different signal and counts.
        #expect(analyzer.ingest(F.block(F.t0 + F.hour, F.user(1)))?.feedback == .counted)
        let signals = try #require(analyzer.signals(for: b, at: F.t0 + F.hour))
        #expect(signals.countedReports == 1 && signals.reports == 2 && signals.countedBlocks == 1)
    }

    @Test func feedbackWithoutADeliveryInSevenDaysIsIgnored() throws {
        let analyzer = F.analyzer()
        // User 1 got a message delivered 8 days ago; user 2 never heard from the business.
        Self.deliver(analyzer, 1, at: F.t0 - 8 * F.day, from: 1)
        #expect(analyzer.ingest(F.report(F.t0, F.user(1)))?.feedback == .withoutProofOfContact)
        #expect(analyzer.ingest(F.block(F.t0, F.user(2)))?.feedback == .withoutProofOfContact)
        // A message sent but never delivered is no proof either.
        analyzer.ingest(F.b2u(F.t0, F.user(3)))
        #expect(analyzer.ingest(F.report(F.t0, F.user(3)))?.feedback == .withoutProofOfContact)
        let signals = try #require(analyzer.signals(for: b, at: F.t0))
        #expect(signals.countedReports == 0 && signals.countedBlocks == 0)
        #expect(signals.unprovenReports7d == 2 && signals.unprovenBlocks7d == 1)
        #expect(signals.qualityScore == nil)
    }

    @Test func proofOfContactSurvivesAKeyRotation() throws {
        let analyzer = F.analyzer()
        // Delivered two hours before the rotation; reported one hour after it (previous key still held).
        Self.deliver(analyzer, 1, at: F.nextRotation - 2 * F.hour, from: 7)
        let outcome = analyzer.ingest(F.report(F.nextRotation + F.hour, F.user(7)))
        #expect(outcome?.feedback == .counted)
        // And the user is not double-counted as a recipient across the boundary.
        analyzer.ingest(F.b2u(F.nextRotation + 2 * F.hour, F.user(7)))
        let signals = try #require(analyzer.signals(for: b, at: F.nextRotation + 2 * F.hour))
        #expect(signals.uniqueRecipients24h == 1 && signals.businessInitiated24h == 1)
        // After the grace period the old key is destroyed and the old entries are gone.
        analyzer.ingest(F.b2u(F.nextRotation + 8 * F.day, F.user(8)))
        #expect(analyzer.pseudonymizer.destroyedEpochs == [656])
        let state = try #require(analyzer.core.index[b].map { analyzer.core.businesses[$0] })
        var parities = Set<UInt8>()
        state.recent.forEach { parities.insert($0.parity) }
        state.proofs.forEach { parities.insert($0.parity) }
        #expect(parities == [1])  // epoch 657 only
    }

    @Test func reportBombingDoesNotMoveAnHonestBusinesssRating() throws {
        var rules = Rules()
        rules.limits.initialTier = .tier10K
        let analyzer = F.analyzer(rules: rules)
        // An honest retailer: 1 000 customers reached over a day, 2 genuine blocks.
        for index in 0..<1000 {
            let time = F.t0 + Int64(index) * 80 * F.second
            analyzer.ingest(F.b2u(time, F.user(index)))
            analyzer.ingest(F.delivered(time + F.second, F.user(index)))
        }
        F.feed(analyzer, [F.block(F.t0 + 23 * F.hour, F.user(10), .noLongerNeeded), F.block(F.t0 + 23 * F.hour, F.user(20), .spam)])
        let before = try #require(analyzer.signals(for: b, at: F.t0 + 24 * F.hour))
        #expect(before.qualityRating == .green)
        _ = analyzer.drainPolicyChanges()
        // 5 000 accounts that never received anything report spam and block within an hour.
        for index in 0..<5000 {
            let time = F.t0 + 24 * F.hour + Int64(index) * 700
            analyzer.ingest(F.report(time, F.user(50_000 + index), .spam))
            analyzer.ingest(F.block(time, F.user(50_000 + index), .spam))
        }
        let after = try #require(analyzer.signals(for: b, at: F.t0 + 25 * F.hour))
        #expect(after.qualityRating == .green)
        #expect(after.status == .connected)
        #expect(after.countedReports == 0 && after.countedBlocks == before.countedBlocks)
        #expect(after.reports == 5000)
        #expect(after.unprovenReports7d > 1000)  // the bombing is visible as its own signal
        #expect(close(try #require(after.qualityScore), try #require(before.qualityScore), 0.002))
        #expect(analyzer.drainPolicyChanges() == [])
    }
}
