@testable import Integrity
import Testing
import Transport

/// The standing of a would-be report, answered without copying the business's state when the
/// reporter surely has no proof of contact, must equal the answer found by applying the report
/// to a copy — for every reporter, at every time, across sampling levels and key rotation.
@Suite struct ReportStandingTests {
    typealias F = Fixture

    /// 40 users delivered to at t0, users 0..<3 also reported at t0 + 1 h (those sampled are
    /// counted: their later reports are duplicates). With 16-slot tables the 7-day table samples
    /// (level ≥ 1); with 512 it holds everyone (level 0).
    static func analyzer(slots: Int) -> IntegrityAnalyzer {
        var rules = Rules()
        rules.signals.contactProofSlots = slots
        rules.signals.recentContactSlots = slots
        let analyzer = F.analyzer(rules: rules)
        for index in 0..<40 {
            analyzer.ingest(F.b2u(F.t0, F.user(index)))
            analyzer.ingest(F.delivered(F.t0, F.user(index)))
        }
        for index in 0..<3 { analyzer.ingest(F.report(F.t0 + F.hour, F.user(index))) }
        return analyzer
    }

    @Test(arguments: [16, 512], [F.t0 + 2 * F.hour, F.t0 + 6 * F.day, F.t0 + 8 * F.day, F.nextRotation + F.hour, F.nextRotation + 9 * F.day])
    func theShortcutAgreesWithApplyingTheReport(slots: Int, at time: Int64) throws {
        let analyzer = Self.analyzer(slots: slots)
        let counted = analyzer.signals(for: F.business)?.countedReports
        let position = try #require(analyzer.core.index[F.business])
        var seen: [ReportStanding: Int] = [:]
        var shortcuts = 0
        for index in 0..<400 {
            let pair = try analyzer.pseudonyms(for: F.user(index), at: time)
            let event = PseudonymizedEvent(time: time, business: F.business, user: pair, kind: .report(.other))
            let expected = analyzer.core.standingByApplying(event, at: position)
            #expect(analyzer.core.standing(of: event) == expected, "user \(index) at \(time)")
            if analyzer.core.businesses[position].certainlyLacksProofOfContact(pair) {
                shortcuts += 1
                #expect(expected == .noContact, "user \(index) at \(time): shortcut taken for \(expected)")
            }
            seen[expected, default: 0] += 1
        }
        if slots == 512 {
            // Everyone is sampled: the 360 who never heard from the business take the shortcut.
            #expect(shortcuts >= 360, "\(seen)")
        }
        if time == F.t0 + 2 * F.hour {
            // Within the week every kind of answer occurs, so the comparison covered them all.
            let kinds: [ReportStanding] = slots == 16 ? [.provable, .noContact, .notSampled] : [.provable, .duplicate, .noContact]
            #expect(kinds.allSatisfy { seen[$0, default: 0] > 0 }, "\(seen)")
        }
        // Asking changed nothing.
        #expect(counted != nil && analyzer.signals(for: F.business)?.countedReports == counted)
    }
}
