@testable import Integrity
import Testing
import Transport

@Suite struct IntegrityAnalyzerTests {
    typealias F = Fixture
    let b = F.business

    @Test func noRawConsumerNumberIsKeptInTheAnalyzersState() {
        let analyzer = F.analyzer()
        let users = (0..<50).map { F.user(123_456 + $0) }
        for (index, user) in users.enumerated() {
            let time = F.t0 + Int64(index) * F.second
            F.feed(analyzer, [F.u2b(time, user), F.b2u(time, user), F.delivered(time, user), F.report(time, user)])
        }
        _ = analyzer.admit(sender: b, recipient: users[0], category: .service, time: F.t0 + F.minute)
        var dumped = ""
        dump(analyzer.core, to: &dumped)
        dump(analyzer.signals(for: b), to: &dumped)
        #expect(dumped.contains(String(b.digits)))  // business numbers are not pseudonymized
        for user in users {
            #expect(!dumped.contains(String(user.digits)), "\(user) found in the state")
        }
    }

    @Test func eventsOutsideTheTimeRangeOrOlderThanEveryKeyAreDroppedAndCounted() {
        let analyzer = F.analyzer()
        #expect(analyzer.ingest(F.b2u(-5, F.user(1))) == nil)
        analyzer.ingest(F.b2u(F.t0, F.user(1)))
        // 40 days later the key of t0's epoch is destroyed: an event from then can no longer enter.
        analyzer.ingest(F.b2u(F.t0 + 40 * F.day, F.user(1)))
        #expect(analyzer.ingest(F.b2u(F.t0, F.user(2))) == nil)
        #expect(analyzer.statistics.outOfRange == 1 && analyzer.statistics.tooOld == 1 && analyzer.statistics.events == 2)
    }

    @Test func observersSeeEveryAppliedEventWithItsOutcome() {
        final class Recorder: IntegrityObserver {
            var seen: [(PseudonymizedEvent, EventOutcome, LiveCounters)] = []
            func observe(_ event: PseudonymizedEvent, outcome: EventOutcome, counters: LiveCounters) {
                seen.append((event, outcome, counters))
            }
        }
        let analyzer = F.analyzer()
        let recorder = Recorder()
        analyzer.observers.append(recorder)
        F.feed(analyzer, [F.b2u(F.t0, F.user(1)), F.b2u(F.t0 + 1, F.user(2)), F.report(F.t0 + 2, F.user(3))])
        #expect(recorder.seen.count == 3)
        #expect(recorder.seen[1].1.businessInitiated == true)
        #expect(recorder.seen[1].2.businessInitiated24h == 2 && recorder.seen[1].2.burst15s == 2)
        #expect(recorder.seen[2].1.feedback == .withoutProofOfContact)
        #expect(recorder.seen[0].2.firstSeen == F.t0)
    }

    @Test func aGrowingHonestSenderClimbsTiersOnEventTime() {
        let analyzer = F.analyzer()
        // 150 new customers a day for three days: half of TIER_250 is used on day one.
        for day in 0..<3 {
            for index in 0..<150 {
                let time = F.t0 + Int64(day) * F.day + Int64(index) * 5 * F.minute
                let user = F.user(day * 1000 + index)
                analyzer.ingest(F.b2u(time, user))
                analyzer.ingest(F.delivered(time + F.second, user))
            }
        }
        let changes = analyzer.drainPolicyChanges()
        #expect(changes.contains { $0.kind == .tierUpgraded(from: .tier250, to: .tier2K) })
        #expect(!changes.contains { if case .messagingLimitReached = $0.kind { return true } else { return false } })
        #expect(analyzer.policy(of: b)?.tier == .tier2K)
        #expect(analyzer.signals(for: b)?.qualityRating == .green)
    }

    @Test func aBlasterHitsItsLimitAndIsRestrictedUntilTheWindowRolls() {
        let analyzer = F.analyzer()
        // 300 cold users within 20 minutes of a new number: the cooldown forbids an upgrade.
        for index in 0..<300 { analyzer.ingest(F.b2u(F.t0 + Int64(index) * 4 * F.second, F.user(index))) }
        #expect(analyzer.policy(of: b)?.limitReached == true)
        #expect(analyzer.signals(for: b)?.status == .restricted)
        let changes = analyzer.drainPolicyChanges().map(\.kind)
        #expect(changes.contains(.messagingLimitReached(.tier250)))
        #expect(changes.contains(.statusChanged(from: .connected, to: .restricted)))
        // A day later the window has rolled; the evaluation on the next event lifts the restriction.
        analyzer.ingest(F.u2b(F.t0 + 25 * F.hour, F.user(1)))
        #expect(analyzer.drainPolicyChanges().map(\.kind).contains(.messagingLimitCleared(.tier250)) || analyzer.policy(of: b)?.tier != .tier250)
        #expect(analyzer.policy(of: b)?.limitReached == false)
    }

    @Test func anOperatorBlockIsPublishedAndEnforced() {
        let analyzer = F.analyzer()
        analyzer.block(b, until: F.t0 + F.day, at: F.t0)
        #expect(analyzer.drainPolicyChanges().map(\.kind) == [.policyBlocked(until: F.t0 + F.day), .statusChanged(from: .connected, to: .restricted)])
        #expect(analyzer.admission(sender: b, recipient: F.user(1), category: .service, time: F.t0 + F.hour) == .policyBlock(until: F.t0 + F.day))
        #expect(analyzer.admission(sender: b, recipient: F.user(1), category: .service, time: F.t0 + F.day + 1) == nil)
    }
}
