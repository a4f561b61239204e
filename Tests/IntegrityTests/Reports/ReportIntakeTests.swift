@testable import Integrity
import Testing
import Transport

/// One line per intake decision, against a real analyzer with seeded keys.
@Suite struct ReportIntakeTests {
    typealias F = Fixture
    let b = F.business

    /// An analyzer where the business delivered to users 0..<5 at t0.
    static func contacted() -> IntegrityAnalyzer {
        let analyzer = F.analyzer()
        for index in 0..<5 {
            analyzer.ingest(F.b2u(F.t0, F.user(index)))
            analyzer.ingest(F.delivered(F.t0, F.user(index)))
        }
        return analyzer
    }

    static func item(_ user: Int, time: Int64? = F.t0 + F.hour, reason: ReportReason = .spam, business: PhoneNumber = F.business)
        -> Result<ReportSubmission, ReportRejection> {
        .success(ReportSubmission(reporter: F.user(user), business: business, reason: reason, time: time))
    }

    static func decide(_ items: [Result<ReportSubmission, ReportRejection>], analyzer: IntegrityAnalyzer,
                       intake: inout ReportIntake, now: Int64 = F.t0 + F.hour) -> ReportBatchOutcome {
        let outcome = intake.decide(items, now: now, oracle: analyzer)
        for report in outcome.accepted { analyzer.ingest(report.event) }
        intake.settle()
        return outcome
    }

    func reasons(_ outcome: ReportBatchOutcome) -> [ReportRejection] { outcome.rejected.map(\.reason) }

    @Test func aReportWithProofOfContactIsAcceptedAsAReportEvent() throws {
        let analyzer = Self.contacted()
        var intake = try ReportIntake()
        let outcome = Self.decide([Self.item(1, reason: .scam)], analyzer: analyzer, intake: &intake)
        let accepted = try #require(outcome.accepted.first)
        #expect(outcome.accepted.count == 1 && outcome.rejected.isEmpty)
        #expect(accepted.event.kind == .report(.scam) && accepted.event.time == F.t0 + F.hour && accepted.event.business == b)
        #expect(accepted.event.user == (try analyzer.pseudonymizer.pseudonyms(for: F.user(1), at: F.t0 + F.hour)))
        #expect(analyzer.signals(for: b)?.countedReports == 1)
    }

    @Test func noDeliveryInSevenDaysIsNoContact() throws {
        let analyzer = Self.contacted()
        var intake = try ReportIntake()
        #expect(reasons(Self.decide([Self.item(99)], analyzer: analyzer, intake: &intake)) == [.noContact])
        // Reports about a business the analyzer never saw have no contact either.
        let other = Self.item(1, business: F.otherBusiness)
        #expect(reasons(Self.decide([other], analyzer: analyzer, intake: &intake)) == [.noContact])
        #expect(analyzer.signals(for: b)?.reports == 0)
    }

    @Test func aSecondReportInTheWindowIsADuplicateWithinAndAcrossBatches() throws {
        let analyzer = Self.contacted()
        var intake = try ReportIntake()
        let first = Self.decide([Self.item(1), Self.item(1, reason: .other)], analyzer: analyzer, intake: &intake)
        #expect(first.accepted.map(\.index) == [0] && first.rejected.map(\.index) == [1] && reasons(first) == [.duplicate])
        #expect(reasons(Self.decide([Self.item(1, time: F.t0 + 2 * F.hour)], analyzer: analyzer, intake: &intake,
                                    now: F.t0 + 2 * F.hour)) == [.duplicate])
        #expect(analyzer.signals(for: b)?.countedReports == 1)
    }

    @Test func acceptedPairsStayDuplicatesUntilSettledAndARetryAfterADroppedCommitIsDecidedAfresh() throws {
        let analyzer = Self.contacted()
        var intake = try ReportIntake()
        // Two batches of one commit: the first is accepted but not applied to the analyzer yet.
        let first = intake.decide([Self.item(1)], now: F.t0 + F.hour, oracle: analyzer)
        #expect(first.accepted.count == 1)
        #expect(reasons(intake.decide([Self.item(1, reason: .scam)], now: F.t0 + F.hour, oracle: analyzer)) == [.duplicate])
        // The commit failed: nothing applied, settled — the retry is accepted again.
        intake.settle()
        let retry = intake.decide([Self.item(1)], now: F.t0 + F.hour, oracle: analyzer)
        #expect(retry.accepted.map(\.event) == first.accepted.map(\.event))
        // Committed this time: applied, settled — now the analyzer's standing makes it a duplicate.
        for report in retry.accepted { analyzer.ingest(report.event) }
        intake.settle()
        #expect(reasons(intake.decide([Self.item(1)], now: F.t0 + F.hour, oracle: analyzer)) == [.duplicate])
        #expect(analyzer.signals(for: b)?.countedReports == 1)
    }

    @Test func theReporterBucketRefillsOnEventTime() throws {
        let analyzer = Self.contacted()
        var configuration = ReportIntakeConfiguration()
        configuration.reporterBurst = 2
        configuration.reporterIntervalMilliseconds = 10 * F.minute
        var intake = try ReportIntake(configuration: configuration)
        // Three reports from user 1 at once: the burst of 2 lets two be decided, the third is refused
        // before its standing is even asked (it would have counted).
        let businesses = [F.otherBusiness, PhoneNumber("+14155550142")!, F.business]
        let batch = businesses.map { Self.item(1, business: $0) }
        #expect(reasons(Self.decide(batch, analyzer: analyzer, intake: &intake)) == [.noContact, .noContact, .rateLimited])
        // Ten minutes later one token is back.
        let later = F.t0 + F.hour + 10 * F.minute
        #expect(reasons(Self.decide([Self.item(1, time: later)], analyzer: analyzer, intake: &intake, now: later)).isEmpty)
        #expect(intake.statistics.rejected[.rateLimited] == 1 && intake.statistics.accepted == 1)
    }

    @Test func timesOutsideTheWindowAreRejected() throws {
        let analyzer = Self.contacted()
        var intake = try ReportIntake()
        let now = F.t0 + F.hour
        let items = [Self.item(1, time: now + 6 * F.minute), Self.item(2, time: now - 7 * F.day - 1), Self.item(3, time: -5)]
        #expect(reasons(Self.decide(items, analyzer: analyzer, intake: &intake)) == [.invalidTime, .tooOld, .invalidTime])
        // No `t`: dated at `now`.
        let outcome = Self.decide([Self.item(4, time: nil)], analyzer: analyzer, intake: &intake, now: now)
        #expect(outcome.accepted.first?.event.time == now)
    }

    @Test func selfReportsAndParseFailuresKeepTheirReasons() throws {
        let analyzer = Self.contacted()
        var intake = try ReportIntake()
        let selfReport = Result<ReportSubmission, ReportRejection>.success(ReportSubmission(reporter: b, business: b, reason: .spam, time: F.t0))
        let outcome = Self.decide([.failure(.invalidNumber), selfReport, .failure(.invalidReason)], analyzer: analyzer, intake: &intake)
        #expect(reasons(outcome) == [.invalidNumber, .selfReport, .invalidReason])
        #expect(outcome.rejected.map(\.index) == [0, 1, 2])
    }

    @Test func anUnsampledReporterIsNotSampled() throws {
        // Tables of 16 slots: 40 contacts push the 7-day table to sampling level ≥ 1.
        var rules = Rules()
        rules.signals.contactProofSlots = 16
        rules.signals.recentContactSlots = 16
        let analyzer = F.analyzer(rules: rules)
        for index in 0..<40 {
            analyzer.ingest(F.b2u(F.t0, F.user(index)))
            analyzer.ingest(F.delivered(F.t0, F.user(index)))
        }
        let level = try #require(analyzer.signals(for: b)).samplingLevel7d
        #expect(level >= 1)
        let outside = try #require((0..<40).first { index in
            (try? analyzer.pseudonyms(for: F.user(index), at: F.t0 + F.hour).current.samplingRank).map { $0 < level } ?? false
        })
        var intake = try ReportIntake()
        #expect(reasons(Self.decide([Self.item(outside)], analyzer: analyzer, intake: &intake)) == [.notSampled])
    }

    @Test func reportBombingLeavesAnHonestRatingUnchanged() throws {
        let analyzer = F.analyzer()
        // An honest business: 300 users, delivered and read, over the last day.
        for index in 0..<300 {
            let time = F.t0 - F.day + Int64(index) * F.minute
            F.feed(analyzer, [F.b2u(time, F.user(index)), F.delivered(time, F.user(index)), F.read(time, F.user(index))])
        }
        let before = try #require(analyzer.signals(for: b, at: F.t0))
        #expect(before.qualityRating == .green)
        // 1 000 users who never heard from it report it, one batch of 1 000.
        var intake = try ReportIntake()
        let bomb = (0..<1_000).map { Self.item(10_000 + $0, time: F.t0, reason: .scam) }
        let outcome = Self.decide(bomb, analyzer: analyzer, intake: &intake, now: F.t0)
        #expect(outcome.accepted.isEmpty)
        #expect(outcome.rejected.count == 1_000 && outcome.rejected.allSatisfy { $0.reason == .noContact })
        let after = try #require(analyzer.signals(for: b, at: F.t0))
        #expect(after.qualityRating == before.qualityRating && after.qualityScore == before.qualityScore)
        #expect(after.status == before.status && after.messagingLimit == before.messagingLimit)
        #expect(after.reportRate7d == 0 && after.countedReports == 0)
    }
}
