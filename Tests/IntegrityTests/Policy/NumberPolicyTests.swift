import Integrity
import Testing

/// One test per transition of the policy state machine, on a virtual clock (plain milliseconds).
@Suite struct NumberPolicyTests {
    static let rules = Rules()
    static let hour: Int64 = 3_600_000
    static let day: Int64 = 86_400_000

    /// A policy at `tier`, already rated `rating` (by evaluating a score that gives it) at time 0.
    static func policy(_ tier: MessagingTier = .tier250, rated score: Double? = 0) -> NumberPolicy {
        var policy = NumberPolicy(tier: tier)
        _ = policy.evaluate(inputs(0, score), rules: rules)
        return policy
    }

    static func inputs(_ time: Int64, _ score: Double?, initiated: Double = 0, peak: Double = 0) -> NumberPolicy.Inputs {
        NumberPolicy.Inputs(time: time, qualityScore: score, businessInitiated24h: initiated, peakBusinessInitiated7d: peak)
    }

    @Test func unknownToGreen() {
        var p = NumberPolicy(tier: .tier250)
        #expect(p.evaluate(Self.inputs(0, 0.001), rules: Self.rules) == [.qualityRatingChanged(from: .unknown, to: .green)])
    }

    @Test func noDataStaysUnknown() {
        var p = NumberPolicy(tier: .tier250)
        #expect(p.evaluate(Self.inputs(0, nil), rules: Self.rules) == [] && p.rating == .unknown)
    }

    @Test func greenToYellow() {
        var p = Self.policy()
        #expect(p.evaluate(Self.inputs(Self.hour, 0.02), rules: Self.rules) == [.qualityRatingChanged(from: .green, to: .yellow)])
    }

    @Test func yellowToRedFlags() {
        var p = Self.policy(rated: 0.03)
        #expect(p.evaluate(Self.inputs(Self.hour, 0.06), rules: Self.rules)
            == [.qualityRatingChanged(from: .yellow, to: .red), .flagged, .statusChanged(from: .connected, to: .flagged)])
        #expect(p.flaggedSince == Self.hour)
    }

    @Test func redHoldsAboveTheRecoveryThreshold() {
        var p = Self.policy(rated: 0.07)
        // 0.05 < red 0.06 but ≥ 0.06 × 0.8 = 0.048: still RED.
        #expect(p.evaluate(Self.inputs(Self.hour, 0.05), rules: Self.rules) == [] && p.rating == .red)
    }

    @Test func redRecoversToYellowAndUnflags() {
        var p = Self.policy(rated: 0.07)
        #expect(p.evaluate(Self.inputs(2 * Self.day, 0.03), rules: Self.rules)
            == [.qualityRatingChanged(from: .red, to: .yellow), .unflagged, .statusChanged(from: .flagged, to: .connected)])
        #expect(p.tier == .tier250)
    }

    @Test func yellowRecoversToGreenOnlyBelowTheRecoveryThreshold() {
        var p = Self.policy(rated: 0.03)
        #expect(p.evaluate(Self.inputs(Self.hour, 0.017), rules: Self.rules) == [])
        #expect(p.evaluate(Self.inputs(2 * Self.hour, 0.015), rules: Self.rules) == [.qualityRatingChanged(from: .yellow, to: .green)])
    }

    @Test func flaggedForSevenDaysDropsOneTierAndRestartsTheTimer() {
        var p = Self.policy(.tier2K, rated: 0.07)
        #expect(p.evaluate(Self.inputs(7 * Self.day - 1, 0.07), rules: Self.rules) == [])
        #expect(p.evaluate(Self.inputs(7 * Self.day, 0.07), rules: Self.rules) == [.tierDowngraded(from: .tier2K, to: .tier250)])
        #expect(p.flaggedSince == 7 * Self.day && p.status == .flagged)
    }

    @Test func flaggedAtTheLowestTierKeepsItsTier() {
        var p = Self.policy(.tier250, rated: 0.07)
        #expect(p.evaluate(Self.inputs(7 * Self.day, 0.07), rules: Self.rules) == [] && p.tier == .tier250)
        #expect(p.flaggedSince == 7 * Self.day)
    }

    @Test func upgradeWhenHalfTheLimitWasUsed() {
        var p = Self.policy(.tier250)
        #expect(p.evaluate(Self.inputs(6 * Self.hour, 0, initiated: 100, peak: 125), rules: Self.rules) == [.tierUpgraded(from: .tier250, to: .tier2K)])
    }

    @Test func aNewNumberWaitsTheCooldownBeforeItsFirstUpgrade() {
        var p = Self.policy(.tier250)
        #expect(p.evaluate(Self.inputs(6 * Self.hour - 1, 0, peak: 200), rules: Self.rules) == [])
    }

    @Test func noUpgradeBelowHalfTheLimit() {
        var p = Self.policy(.tier250)
        #expect(p.evaluate(Self.inputs(6 * Self.hour, 0, peak: 124), rules: Self.rules) == [])
    }

    @Test func noUpgradeWhileRed() {
        var p = Self.policy(.tier250, rated: 0.07)
        #expect(p.evaluate(Self.inputs(6 * Self.hour, 0.07, peak: 200), rules: Self.rules) == [] && p.tier == .tier250)
    }

    @Test func noUpgradeWhileFlaggedEvenIfYellow() {
        var p = Self.policy(.tier250, rated: 0.07)
        // 0.05 keeps RED by hysteresis; the number stays FLAGGED and does not upgrade.
        #expect(p.evaluate(Self.inputs(6 * Self.hour, 0.05, peak: 200), rules: Self.rules) == [])
    }

    @Test func noSecondUpgradeWithinTheCooldown() {
        var p = Self.policy(.tier250)
        _ = p.evaluate(Self.inputs(6 * Self.hour, 0, peak: 1500), rules: Self.rules)
        #expect(p.tier == .tier2K)
        #expect(p.evaluate(Self.inputs(12 * Self.hour - 1, 0, peak: 1500), rules: Self.rules) == [])
        #expect(p.evaluate(Self.inputs(12 * Self.hour, 0, peak: 1500), rules: Self.rules) == [.tierUpgraded(from: .tier2K, to: .tier10K)])
    }

    @Test func reachingUnlimitedUpgradesThroughput() {
        var p = Self.policy(.tier100K)
        #expect(p.evaluate(Self.inputs(6 * Self.hour, 0, peak: 50_000), rules: Self.rules)
            == [.tierUpgraded(from: .tier100K, to: .unlimited), .throughputUpgraded])
        #expect(p.throughputUpgraded)
    }

    @Test func reachingTheLimitRestricts() {
        var p = Self.policy(.tier2K)
        #expect(p.evaluate(Self.inputs(Self.hour, 0, initiated: 2000, peak: 900), rules: Self.rules)
            == [.messagingLimitReached(.tier2K), .statusChanged(from: .connected, to: .restricted)])
    }

    @Test func fallingBelowTheLimitLiftsTheRestriction() {
        var p = Self.policy(.tier2K)
        _ = p.evaluate(Self.inputs(Self.hour, 0, initiated: 2000, peak: 900), rules: Self.rules)
        #expect(p.evaluate(Self.inputs(25 * Self.hour, 0, initiated: 1999, peak: 900), rules: Self.rules)
            == [.messagingLimitCleared(.tier2K), .statusChanged(from: .restricted, to: .connected)])
    }

    @Test func veryLowQualityRestrictsBusinessInitiatedMessaging() {
        var p = Self.policy(.tier250, rated: 0.07)
        #expect(p.evaluate(Self.inputs(Self.hour, 0.15), rules: Self.rules)
            == [.spamRestricted(until: 25 * Self.hour), .statusChanged(from: .flagged, to: .restricted)])
        #expect(p.isSpamRestricted(at: 25 * Self.hour - 1) && !p.isSpamRestricted(at: 25 * Self.hour))
    }

    @Test func theSpamRestrictionEndsAfterItsTime() {
        var p = Self.policy(.tier250, rated: 0.07)
        _ = p.evaluate(Self.inputs(Self.hour, 0.15), rules: Self.rules)
        #expect(p.evaluate(Self.inputs(25 * Self.hour, 0.07), rules: Self.rules)
            == [.spamRestrictionLifted, .statusChanged(from: .restricted, to: .flagged)])
    }

    @Test func extremeQualityBlocksForPolicy() {
        var p = Self.policy(.tier250, rated: 0.07)
        #expect(p.evaluate(Self.inputs(Self.hour, 0.35), rules: Self.rules)
            == [.policyBlocked(until: 73 * Self.hour), .statusChanged(from: .flagged, to: .restricted)])
    }

    @Test func thePolicyBlockEndsAfterItsTime() {
        var p = Self.policy(.tier250, rated: 0.07)
        _ = p.evaluate(Self.inputs(Self.hour, 0.35), rules: Self.rules)
        #expect(p.evaluate(Self.inputs(73 * Self.hour, 0.07), rules: Self.rules)
            == [.policyBlockLifted, .statusChanged(from: .restricted, to: .flagged)])
    }

    @Test func anOperatorCanBlock() {
        var p = Self.policy()
        #expect(p.block(until: 10 * Self.hour, at: Self.hour) == [.policyBlocked(until: 10 * Self.hour), .statusChanged(from: .connected, to: .restricted)])
    }

    @Test func timeNeverRunsBackwards() {
        var p = Self.policy(.tier2K, rated: 0.07)
        _ = p.evaluate(Self.inputs(7 * Self.day, 0.07), rules: Self.rules)
        // An older input is evaluated at the latest time: no second downgrade, no undo.
        #expect(p.evaluate(Self.inputs(Self.day, 0.07), rules: Self.rules) == [] && p.tier == .tier250)
    }
}
