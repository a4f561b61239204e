import Testing
@testable import Integrity

/// The `detection` section of the rules file.
@Suite struct DetectionRulesTests {
    @Test func defaultsRoundTripThroughPrintRules() throws {
        let rules = Rules()
        let parsed = try Rules(json: Array(rules.jsonText.utf8))
        #expect(parsed == rules)
        #expect(rules.jsonText.contains(#""velocity": {"burst_messages": 100"#))
    }

    @Test func overridesAreRead() throws {
        let rules = try Rules(json: Array(#"{"detection":{"for_seconds":5,"velocity":{"burst_messages":50},"feedback":{"rate_floor":0.05}}}"#.utf8))
        #expect(rules.detection.forSeconds == 5)
        #expect(rules.detection.velocity.burstMessages == 50)
        #expect(rules.detection.feedback.rateFloor == 0.05)
        #expect(rules.detection.coldFanOut == Rules.Detection.ColdFanOut())
    }

    @Test func badValuesAreRefusedWithTheirPath() {
        func error(_ json: String) -> String? {
            do {
                _ = try Rules(json: Array(json.utf8))
                return nil
            } catch {
                return error.description
            }
        }
        #expect(error(#"{"detection":{"velocity":{"burst":1}}}"#) == "rules: detection.velocity.burst: unknown key")
        #expect(error(#"{"detection":{"hysteresis":1.5}}"#) == "rules: detection.hysteresis: must be in (0, 1]")
        #expect(error(#"{"detection":{"feedback":{"minimum_warning":5,"minimum_critical":2}}}"#)
            == "rules: detection.feedback.minimum_critical: must be at least minimum_warning")
        #expect(error(#"{"detection":{"mass_messaging":{"population_share_critical":0.05}}}"#)
            == "rules: detection.mass_messaging.population_share_critical: must be in population_share_warning…1")
    }
}
