import Integrity
import Testing
import Transport

/// Admission answers with Meta's codes at the start of the deny text.
@Suite struct AdmissionTests {
    typealias F = Fixture
    let b = F.business

    static func code(_ decision: AdmissionDecision) -> (WireErrorCode, Int)? {
        guard case let .deny(code, text) = decision else { return nil }
        return (code, Int(text.prefix(while: \.isNumber)) ?? -1)
    }

    @Test func pairRateAllowsABurstOf45ThenOnePerSixSeconds() {
        let analyzer = F.analyzer()
        let user = F.user(1)
        for index in 0..<45 {
            #expect(analyzer.admit(sender: b, recipient: user, category: .utility, time: F.t0 + Int64(index)) == .allow, "\(index)")
        }
        let refused = analyzer.admit(sender: b, recipient: user, category: .utility, time: F.t0 + 45)
        #expect(Self.code(refused)?.0 == .rateLimited && Self.code(refused)?.1 == 131056)
        // Another user is unaffected; this one gets a message again once 6 s have been repaid.
        #expect(analyzer.admit(sender: b, recipient: F.user(2), category: .utility, time: F.t0 + 45) == .allow)
        #expect(analyzer.admit(sender: b, recipient: user, category: .utility, time: F.t0 + 6000) == .allow)
        #expect(Self.code(analyzer.admit(sender: b, recipient: user, category: .utility, time: F.t0 + 6001))?.1 == 131056)
    }

    @Test func throughputIs80MessagesPerSecondPerNumber() {
        let analyzer = F.analyzer()
        for index in 0..<80 {
            #expect(analyzer.admit(sender: b, recipient: F.user(index), category: .marketing, time: F.t0) == .allow, "\(index)")
        }
        let refused = analyzer.admission(sender: b, recipient: F.user(80), category: .marketing, time: F.t0)
        #expect(refused?.metaCode == 130429 && refused?.wireCode == .rateLimited)
        // 12.5 ms later one more message conforms.
        #expect(analyzer.admit(sender: b, recipient: F.user(81), category: .marketing, time: F.t0 + 13) == .allow)
    }

    @Test func anExhaustedTierRefusesNewBusinessInitiatedUsersButNotReplies() {
        let analyzer = F.analyzer()
        analyzer.ingest(F.u2b(F.t0, F.user(9999)))
        for index in 0..<250 { analyzer.ingest(F.b2u(F.t0 + Int64(index) * 100, F.user(index))) }
        let time = F.t0 + 60 * F.second
        let refused = analyzer.admission(sender: b, recipient: F.user(500), category: .marketing, time: time)
        #expect(refused == .messagingLimit(tier: .tier250, limit: 250))
        #expect(refused?.metaCode == 131048 && refused?.wireCode == .admissionDenied)
        #expect(refused?.decision == .deny(code: .admissionDenied, text: refused?.description ?? ""))
        // A user already counted in the window, and a user who wrote an hour ago, can be messaged.
        #expect(analyzer.admission(sender: b, recipient: F.user(3), category: .marketing, time: time) == nil)
        #expect(analyzer.admission(sender: b, recipient: F.user(9999), category: .service, time: time) == nil)
        #expect(analyzer.signals(for: b, at: time)?.status == .restricted)
        // 24 hours later the window has rolled.
        #expect(analyzer.admission(sender: b, recipient: F.user(500), category: .marketing, time: F.t0 + 25 * F.hour) == nil)
    }

    @Test func aSpamRestrictionRefusesWith131048AndAPolicyBlockWith368() {
        var rules = Rules()
        rules.limits.initialTier = .tier10K
        let analyzer = F.analyzer(rules: rules)
        analyzer.ingest(F.u2b(F.t0, F.user(7)))
        // 20 users reached, 6 spam reports: score 6 × 1.5 / (20 + 20) = 0.225 → RED and restricted.
        for index in 0..<20 {
            analyzer.ingest(F.b2u(F.t0, F.user(index)))
            analyzer.ingest(F.delivered(F.t0, F.user(index)))
        }
        for index in 0..<6 { analyzer.ingest(F.report(F.t0 + F.minute, F.user(index))) }
        let restricted = analyzer.admission(sender: b, recipient: F.user(100), category: .marketing, time: F.t0 + 2 * F.minute)
        #expect(restricted?.metaCode == 131048)
        #expect(restricted?.description.hasPrefix("131048 spam rate limit hit") == true)
        // Replies inside a customer-service window still go.
        #expect(analyzer.admission(sender: b, recipient: F.user(7), category: .service, time: F.t0 + 2 * F.minute) == nil)
        // Four more reports: 10 × 1.5 / 40 = 0.375 → a policy block: nothing goes.
        for index in 6..<10 { analyzer.ingest(F.report(F.t0 + 3 * F.minute, F.user(index))) }
        let blocked = analyzer.admit(sender: b, recipient: F.user(7), category: .service, time: F.t0 + 4 * F.minute)
        #expect(Self.code(blocked)?.0 == .admissionDenied && Self.code(blocked)?.1 == 368)
        let changes = analyzer.drainPolicyChanges().map(\.kind)
        #expect(changes.contains(.flagged))
        #expect(changes.contains(.spamRestricted(until: F.t0 + F.minute + 24 * F.hour)))
        #expect(changes.contains(.policyBlocked(until: F.t0 + 3 * F.minute + 72 * F.hour)))
    }

    @Test func refusalsAreCountedInTheSignals() {
        let analyzer = F.analyzer()
        for _ in 0..<50 { _ = analyzer.admit(sender: b, recipient: F.user(1), category: .utility, time: F.t0) }
        #expect(analyzer.signals(for: b)?.refusals[131056] == 5)
        #expect(analyzer.statistics.admissions == 50 && analyzer.statistics.refusals == 5)
    }
}
