import Testing
@testable import Integrity
import Transport

/// Each detector on synthetic events through the analyzer: a case that must alert, one that must not.
@Suite struct DetectorTests {
    typealias F = Fixture

    // MARK: Velocity

    @Test func aNewNumberBurstingToStrangersIsCritical() {
        let harness = DetectionHarness()
        harness.run(F.campaign(from: F.t0, users: 0, count: 150, spacing: 100))          // 150 in 15 s, from its first event
        #expect(harness.sink.fired.first == "VelocityBurst/critical")
        let alert = harness.sink.alerts.first { $0.name == "VelocityBurst" }
        #expect(alert?.time == F.t0 + 10_000)        // the first evaluation (one a second) after the 100th message
        #expect(alert.map { $0.value >= 100 } == true)
        #expect(alert?.labels == ["signal": "burst_15s"])
    }

    @Test func aNewNumberBurstingPasscodesIsNoVelocityAlert() {
        // 150 authentication messages in 15 s to users who never wrote, from the first event on:
        // passcodes users asked for (a service launching), not a blast.
        let harness = DetectionHarness()
        let passcodes = (0..<150).flatMap { index -> [IntegrityEvent] in
            let time = F.t0 + Int64(index) * 100
            return [F.b2u(time, F.user(index), category: .authentication), F.delivered(time + 500, F.user(index))]
        }
        harness.run(passcodes)
        #expect(!harness.sink.fired.contains { $0.hasPrefix("VelocityBurst") }, "\(harness.sink.fired)")
        // The same burst as marketing is critical (the detector is not simply off).
        let marketing = DetectionHarness()
        marketing.run(F.campaign(from: F.t0, users: 0, count: 150, spacing: 100))
        #expect(marketing.sink.fired.contains("VelocityBurst/critical"))
    }

    @Test func anEstablishedNumberBurstingToStrangersIsOnlyAWarning() {
        let harness = DetectionHarness()
        let history = F.optIns(from: F.t0, users: 10_000, count: 5)
        harness.run(history + F.campaign(from: F.t0 + 2 * F.hour, users: 0, count: 150, spacing: 100))
        #expect(harness.sink.fired.contains("VelocityBurst/warning"))
        #expect(!harness.sink.fired.contains("VelocityBurst/critical"))
    }

    @Test func aBurstToCustomersWhoWroteFirstIsNoVelocityAlert() {
        let harness = DetectionHarness()
        let optIns = F.optIns(from: F.t0, users: 0, count: 150)
        harness.run(optIns + F.campaign(from: F.t0 + 26 * F.hour, users: 0, count: 150, spacing: 100))  // a flash sale
        #expect(!harness.sink.fired.contains { $0.hasPrefix("VelocityBurst") })
    }

    // MARK: Mass messaging

    @Test func overTheTierLimitIsAWarning() {
        let harness = DetectionHarness()
        harness.run(F.campaign(from: F.t0, users: 0, count: 300, spacing: 20 * F.second))   // 300 initiated, limit 250
        #expect(harness.sink.fired.contains("MassMessaging/warning"))
        let alert = harness.sink.alerts.first { $0.name == "MassMessaging" }
        #expect(alert?.labels == ["signal": "tier_usage"])
        #expect(alert.map { $0.value >= 1 } == true)
        #expect(!harness.sink.fired.contains { $0.hasSuffix("critical") })
    }

    @Test func underTheTierLimitIsNoMassMessagingAlert() {
        let harness = DetectionHarness()
        harness.run(F.campaign(from: F.t0, users: 0, count: 200, spacing: 20 * F.second))
        #expect(!harness.sink.fired.contains { $0.hasPrefix("MassMessaging") })
    }

    static func populationRules() -> Rules {
        var rules = Rules()
        rules.detection.massMessaging.minimumPopulation = 50
        return rules
    }

    /// 800 users active elsewhere, then the business initiates to `reach` of them.
    static func populationEvents(reach: Int) -> [IntegrityEvent] {
        F.optIns(from: F.t0, users: 0, count: 800, business: F.otherBusiness)
            + F.campaign(from: F.t0 + 20 * F.minute, users: 0, count: reach, spacing: 10 * F.second)
    }

    @Test func messagingMostOfThePopulationIsCritical() {
        let harness = DetectionHarness(rules: Self.populationRules())
        harness.run(Self.populationEvents(reach: 600), settle: 15 * F.minute)
        #expect(harness.sink.fired(for: F.business).contains("MassMessaging/critical"))
        let alert = harness.sink.alerts.first { $0.name == "MassMessaging" && $0.severity == .critical }
        #expect(alert?.labels == ["signal": "population_share"])
    }

    @Test func messagingASmallShareOfThePopulationIsNotCritical() {
        let harness = DetectionHarness(rules: Self.populationRules())
        harness.run(Self.populationEvents(reach: 200), settle: 15 * F.minute)
        #expect(harness.sink.fired(for: F.business).contains("MassMessaging/warning"))   // 25 % ≥ 10 %
        #expect(!harness.sink.fired(for: F.business).contains("MassMessaging/critical"))
    }

    // MARK: Cold fan-out

    @Test func coldFanOutFromANumberThatUsersBlockIsCritical() {
        let harness = DetectionHarness()
        let blocks = (0..<20).map { F.block(F.t0 + F.hour + Int64($0) * F.second, F.user($0)) }
        harness.run(F.campaign(from: F.t0, users: 0, count: 100, spacing: 30 * F.second) + blocks)
        #expect(harness.analyzer.policy(of: F.business)?.rating == .red)
        #expect(harness.sink.fired.contains("ColdFanOut/critical"))
        #expect(harness.sink.fired.contains("ColdFanOut/warning"))
    }

    @Test func coldFanOutWithoutComplaintsIsOnlyAWarning() {
        // A passcode sender: every recipient cold, nobody blocks.
        let harness = DetectionHarness()
        harness.run(F.campaign(from: F.t0, users: 0, count: 100, spacing: 30 * F.second))
        #expect(harness.sink.fired == ["ColdFanOut/warning"])
    }

    // MARK: Feedback

    @Test func manyCountedBlocksAreCritical() {
        let harness = DetectionHarness()
        let optIns = F.optIns(from: F.t0, users: 0, count: 200)
        let sends = F.campaign(from: F.t0 + F.hour, users: 0, count: 200, spacing: F.second)
        let blocks = (0..<30).map { F.block(F.t0 + 2 * F.hour + Int64($0) * F.second, F.user($0)) }
        harness.run(optIns + sends + blocks)
        #expect(harness.sink.fired.contains("NegativeFeedbackSpike/critical"))
        #expect(harness.sink.fired.contains("NegativeFeedbackSpike/warning"))
        #expect(!harness.sink.fired.contains { $0.hasPrefix("ColdFanOut") })
    }

    @Test func aFewBlocksAreNoFeedbackAlert() {
        let harness = DetectionHarness()
        let optIns = F.optIns(from: F.t0, users: 0, count: 200)
        let sends = F.campaign(from: F.t0 + F.hour, users: 0, count: 200, spacing: F.second)
        let blocks = (0..<2).map { F.block(F.t0 + 2 * F.hour + Int64($0) * F.second, F.user($0)) }
        harness.run(optIns + sends + blocks)
        #expect(harness.sink.fired.isEmpty)
    }

    @Test func aSmallBusinessUnluckyDayIsAWarningNotCritical() {
        // 4 blocks among 40 delivered users: 10 %, but too few to be sure (Wilson bound, minimum count).
        let harness = DetectionHarness()
        let optIns = F.optIns(from: F.t0, users: 0, count: 40)
        let sends = F.campaign(from: F.t0 + F.hour, users: 0, count: 40, spacing: F.second)
        let blocks = (0..<4).map { F.block(F.t0 + 2 * F.hour + Int64($0) * F.second, F.user($0)) }
        harness.run(optIns + sends + blocks)
        #expect(harness.sink.fired == ["NegativeFeedbackSpike/warning"])
    }

    // MARK: Report bombing

    @Test func reportBombingIsAWarningAndNeverCritical() {
        let harness = DetectionHarness()
        let customers = F.optIns(from: F.t0, users: 0, count: 30) + F.campaign(from: F.t0 + F.hour, users: 0, count: 30, spacing: F.second)
        let crowd = (0..<200).flatMap { index -> [IntegrityEvent] in
            let time = F.t0 + 2 * F.hour + Int64(index) * 5 * F.second
            return [F.report(time, F.user(50_000 + index), .scam), F.block(time + 100, F.user(50_000 + index))]
        }
        harness.run(customers + crowd)
        #expect(harness.sink.fired == ["UnprovenFeedback/warning"])
        #expect(harness.analyzer.policy(of: F.business)?.rating != .red)
        #expect(harness.analyzer.policy(of: F.business)?.rating != .yellow)
    }
}
