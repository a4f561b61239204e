@testable import Integrity
import Stats
import Testing

/// The settled shortcut of `NumberPolicy.evaluate(_:thresholds:)` against every step run in full:
/// random walks through the state machine, with scores, counts and peaks on both sides of every
/// threshold, must give the same changes and the same policy either way.
@Suite struct NumberPolicySettledTests {
    static let hour: Int64 = 3_600_000

    /// The default rules; rules whose enforcement scores lie below the rating thresholds (so a
    /// GREEN or YELLOW number can be restricted or blocked); rules with no recovery margin and no
    /// upgrade cooldown.
    static let rules: [Rules] = {
        var strict = Rules()
        strict.enforcement.spamRestrictionScore = 0.01
        strict.enforcement.policyBlockScore = 0.03
        var eager = Rules()
        eager.quality.recoveryFactor = 1
        eager.limits.upgradeCooldownHours = 0
        return [Rules(), strict, eager]
    }()

    /// Scores around the rating thresholds (0.02 / 0.06, × 0.8 to recover) and the enforcement
    /// scores of both rules (0.01 / 0.03, 0.15 / 0.35), none, and NaN.
    static let scores: [Double?] = [nil, .nan, 0, 0.001, 0.0099, 0.01, 0.0159, 0.016, 0.0199, 0.02, 0.0299, 0.03, 0.0479, 0.048,
                                    0.0599, 0.06, 0.07, 0.149, 0.15, 0.349, 0.35, 0.5]
    /// Multiples of a tier's limit for the 24-hour count and the 7-day peak.
    static let fractions = [0.0, 0.1, 0.3, 0.49, 0.4999, 0.5, 0.7, 0.999, 1.0, 1.2]

    @Test(arguments: [1, 2, 3, 4] as [UInt64])
    func theShortcutAgreesWithEveryStep(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        func pick<Element>(_ choices: [Element]) -> Element { choices[Int(random.next() % UInt64(choices.count))] }
        var settled = 0, unsettled = 0, changed = 0
        // Walks from a fresh number at each tier in turn (upgrades drift towards TIER_UNLIMITED,
        // where the limit steps have nothing to do).
        walks: for walk in 0..<300 {
            let thresholds = NumberPolicy.Thresholds(Self.rules[walk % Self.rules.count])
            var policy = NumberPolicy(tier: MessagingTier.allCases[walk / Self.rules.count % MessagingTier.allCases.count])
            var time: Int64 = 0
            // Each input keeps its value for a while (as a business's signals do), so that a walk
            // spends time in settled states as well as crossing thresholds.
            var score: Double? = 0, initiatedShare = 0.0, peakShare = 0.0
            for step in 0..<100 {
                // Mostly forwards by minutes to days; sometimes the same time or backwards. Whole
                // minutes, so that steps land exactly on the cooldown's end now and then.
                switch random.next() % 10 {
                case 0: break
                case 1: time -= 60_000 * Int64(random.next() % 60)
                default: time += 60_000 * Int64(random.next() % 2880 / (1 + random.next() % 40))
                }
                if random.next() % 6 == 0 { score = pick(Self.scores) }
                if random.next() % 6 == 0 { initiatedShare = pick(Self.fractions) }
                if random.next() % 6 == 0 { peakShare = pick(Self.fractions) }
                let limit = Double(thresholds.limit(of: policy.tier) ?? 250_000)
                let initiated = (limit * initiatedShare).rounded()
                let inputs = NumberPolicy.Inputs(time: time, qualityScore: score, businessInitiated24h: initiated,
                                                 peakBusinessInitiated7d: max(initiated, (limit * peakShare).rounded()))
                var full = policy
                let fullChanges = full.evaluateEveryStep(inputs, thresholds: thresholds)
                let wasSettled = policy.isSettled(inputs, thresholds: thresholds)
                let changes = policy.evaluate(inputs, thresholds: thresholds)
                guard changes == fullChanges && policy == full else {
                    Issue.record("walk \(walk), step \(step): \(inputs) gave \(changes), every step \(fullChanges)")
                    break walks
                }
                if wasSettled {
                    settled += 1
                } else {
                    unsettled += 1
                    if !changes.isEmpty { changed += 1 }
                }
                if random.next() % 200 == 0 { _ = policy.block(until: time + Int64(random.next() % UInt64(100 * Self.hour)), at: time) }
            }
        }
        // Both paths were taken many times, and the full one made changes.
        #expect(settled > 4_000 && unsettled > 4_000 && changed > 3_000, "settled \(settled), unsettled \(unsettled), changed \(changed)")
    }
}
