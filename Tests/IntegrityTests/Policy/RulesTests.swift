import Integrity
import Testing

@Suite struct RulesTests {
    @Test func anEmptyObjectGivesTheDefaults() throws {
        #expect(try Rules(json: Array("{}".utf8)) == Rules())
    }

    @Test func thePrintedRulesReadBackEqual() throws {
        var rules = Rules()
        rules.quality.redScore = 0.09
        rules.limits.tierLimits = [100, 1000, 5000, 50000]
        rules.limits.initialTier = .tier2K
        rules.quality.blockWeights["spam"] = 2
        #expect(try Rules(json: Array(rules.jsonText.utf8)) == rules)
    }

    @Test func keysOverrideTheirDefaultsOnly() throws {
        let rules = try Rules(json: Array(#"{"quality":{"red_score":0.1},"admission":{"pair_burst":10}}"#.utf8))
        #expect(rules.quality.redScore == 0.1 && rules.quality.yellowScore == 0.02)
        #expect(rules.admission.pairBurst == 10 && rules.admission.pairIntervalMilliseconds == 6000)
    }

    static let refused: [(String, String)] = [
        (#"[]"#, "rules: the top level must be an object"),
        (#"{"qualty":{}}"#, "rules: qualty: unknown key"),
        (#"{"quality":{"red":0.1}}"#, "rules: quality.red: unknown key"),
        (#"{"quality":{"red_score":"high"}}"#, "rules: quality.red_score: must be a number"),
        (#"{"quality":{"red_score":0.01}}"#, "rules: quality.red_score: must be above yellow_score"),
        (#"{"quality":{"block_weights":{"rude":1}}}"#, "rules: quality.block_weights.rude: unknown reason (expected spam, didnt_sign_up, offensive, no_longer_needed, no_reason)"),
        (#"{"limits":{"tier_limits":[250,2000,1000,100000]}}"#, "rules: limits.tier_limits: must be positive and increasing"),
        (#"{"limits":{"initial_tier":"TIER_1K"}}"#, "rules: limits.initial_tier: must be one of TIER_250, TIER_2K, TIER_10K, TIER_100K, TIER_UNLIMITED"),
        (#"{"signals":{"recent_contact_slots":1000}}"#, "rules: signals.recent_contact_slots: must be a power of two in 16…65536"),
        (#"{"admission":{"pair_burst":1.5}}"#, "rules: admission.pair_burst: must be an integer"),
        (#"{"pseudonyms":{"grace_days":30}}"#, "rules: pseudonyms.grace_days: must be ≥ 0 and less than rotation_days"),
        (#"{"enforcement":{"policy_block_score":0.1}}"#, "rules: enforcement.policy_block_score: must be at least spam_restriction_score"),
    ]

    @Test(arguments: refused.indices)
    func badRulesAreRefusedWithTheirKeyPath(_ index: Int) {
        let (json, message) = Self.refused[index]
        do {
            _ = try Rules(json: Array(json.utf8))
            Issue.record("accepted \(json)")
        } catch {
            #expect(error.description == message)
        }
    }
}
