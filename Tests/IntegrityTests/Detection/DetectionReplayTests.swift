import Testing
@testable import Integrity
import Transport

/// Every simulated scenario (scale 0.05) replayed through the analyzer and the detectors: every
/// abusive business gets a critical alert, no honest one does — the flash-sale retailers, the
/// passcode senders and the report-bombing targets included.
@Suite struct DetectionReplayTests {
    @Test(arguments: SimulationScenario.allCases)
    func criticalAlertsMatchTheLabels(_ scenario: SimulationScenario) throws {
        let outcome = try DetectionReplay.run(SimulationParameters(scenario: scenario, seed: 1, scale: 0.05),
                                              pseudonymizer: Fixture.pseudonymizer())
        #expect(outcome.malformed == 0 && outcome.dropped == 0)
        #expect(outcome.events > 40_000)  // scale 0.05: 42 000 – 98 000 events per scenario at seed 1
        let score = outcome.score
        #expect(score.businesses.count == outcome.labels.businesses.count)
        for business in score.businesses {
            #expect(business.predictedAbusive == business.label.expectCritical,
                    "\(business.label.business) \(business.label.behaviour.rawValue): first critical \(business.firstCriticalName ?? "none")")
        }
        if score.abusive > 0 {
            #expect(score.recall == 1)
            #expect(score.precision == 1)
        }
        // Alerts arrive in event-time order, and a resolution always follows its firing.
        #expect(outcome.alerts.map(\.time) == outcome.alerts.map(\.time).sorted())
        var open: Set<UInt64> = []
        for alert in outcome.alerts {
            switch alert.status {
            case .firing: #expect(open.insert(alert.fingerprint).inserted)
            case .resolved: #expect(open.remove(alert.fingerprint) != nil)
            }
        }
    }

    @Test func reportBombingTargetsGetOnlyTheUnprovenFeedbackWarning() throws {
        let outcome = try DetectionReplay.run(SimulationParameters(scenario: .reportBombing, seed: 1, scale: 0.05),
                                              pseudonymizer: Fixture.pseudonymizer())
        let targets = Set(outcome.labels.businesses.filter { $0.behaviour == .reportBombingTarget }.map(\.business))
        #expect(targets.count == 2)
        let names = Set(outcome.alerts.filter { targets.contains($0.business.e164) }.map { "\($0.name)/\($0.severity.rawValue)" })
        #expect(names == ["UnprovenFeedback/warning"])
    }

    @Test func scoresCountPerBusiness() throws {
        let labels = SimulationLabels(scenario: "t", seed: 1, scale: 1, start: 0, end: 100, businesses: [
            .init(business: "+14155550100", behaviour: .bulkBlaster, window: 10...20),
            .init(business: "+14155550101", behaviour: .background, window: 0...99),
            .init(business: "+14155550102", behaviour: .slowDripSpammer, window: 0...99),
        ])
        func alert(_ business: String, _ severity: Alert.Severity, _ time: Int64) -> Alert {
            Alert(name: "X", business: PhoneNumber(business)!, severity: severity, status: .firing, time: time, startsAt: time,
                  summary: "", value: 1)
        }
        let score = DetectionScore(labels: labels, alerts: [
            alert("+14155550100", .critical, 15), alert("+14155550100", .critical, 12), alert("+14155550101", .critical, 50),
            alert("+14155550102", .warning, 5),
        ])
        #expect((score.truePositives, score.falsePositives, score.falseNegatives) == (1, 1, 1))
        #expect(score.precision == 0.5 && score.recall == 0.5)
        #expect(score.businesses[0].delay == 2)
        #expect(score.warnings == 1)
    }
}
