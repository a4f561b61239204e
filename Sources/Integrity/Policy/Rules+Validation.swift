extension Rules {
    /// Checks ranges and orderings; the first problem is thrown with its key path.
    public func validate() throws(RulesError) {
        func check(_ condition: Bool, _ path: String, _ message: String) throws(RulesError) {
            if !condition { throw RulesError(path: path, message: message) }
        }
        func isPowerOfTwo(_ value: Int, in range: ClosedRange<Int>) -> Bool {
            range.contains(value) && value & (value - 1) == 0
        }
        try check(pseudonyms.rotationDays >= 1 && pseudonyms.rotationDays <= 365, "pseudonyms.rotation_days", "must be in 1…365")
        try check(pseudonyms.graceDays >= 0 && pseudonyms.graceDays < pseudonyms.rotationDays,
                  "pseudonyms.grace_days", "must be ≥ 0 and less than rotation_days")
        try check(isPowerOfTwo(signals.recentContactSlots, in: 16...65536), "signals.recent_contact_slots", "must be a power of two in 16…65536")
        try check(isPowerOfTwo(signals.contactProofSlots, in: 16...65536), "signals.contact_proof_slots", "must be a power of two in 16…65536")
        try check(isPowerOfTwo(signals.writerFilterBits, in: 64...(1 << 20)), "signals.writer_filter_bits", "must be a power of two in 64…1048576")
        try check((1...1024).contains(signals.pairSlots), "signals.pair_slots", "must be in 1…1024")
        try check(signals.recencyHalfLifeHours > 0 && signals.recencyHalfLifeHours.isFinite, "signals.recency_half_life_hours", "must be > 0")
        try check(quality.yellowScore > 0, "quality.yellow_score", "must be > 0")
        try check(quality.redScore > quality.yellowScore, "quality.red_score", "must be above yellow_score")
        try check(quality.recoveryFactor > 0 && quality.recoveryFactor <= 1, "quality.recovery_factor", "must be in (0, 1]")
        try check(quality.priorUsers >= 0 && quality.priorUsers.isFinite, "quality.prior_users", "must be ≥ 0")
        try check(limits.tierLimits.count == 4, "limits.tier_limits", "must list 4 limits (TIER_250, TIER_2K, TIER_10K, TIER_100K)")
        try check(limits.tierLimits.first.map { $0 > 0 } ?? false && zip(limits.tierLimits, limits.tierLimits.dropFirst()).allSatisfy { $0 < $1 },
                  "limits.tier_limits", "must be positive and increasing")
        try check(limits.upgradeUsageFraction > 0 && limits.upgradeUsageFraction <= 1, "limits.upgrade_usage_fraction", "must be in (0, 1]")
        try check(limits.upgradeCooldownHours >= 0 && limits.upgradeCooldownHours.isFinite, "limits.upgrade_cooldown_hours", "must be ≥ 0")
        try check(limits.flaggedDays > 0 && limits.flaggedDays <= 365, "limits.flagged_days", "must be in (0, 365]")
        try check(admission.pairIntervalMilliseconds >= 1, "admission.pair_interval_ms", "must be ≥ 1")
        try check((1...100_000).contains(admission.pairBurst), "admission.pair_burst", "must be in 1…100000")
        try check((1...1_000_000).contains(admission.throughputPerSecond), "admission.throughput_per_second", "must be in 1…1000000")
        try check(admission.upgradedThroughputPerSecond >= admission.throughputPerSecond && admission.upgradedThroughputPerSecond <= 1_000_000,
                  "admission.upgraded_throughput_per_second", "must be at least throughput_per_second (and ≤ 1000000)")
        try check(admission.throughputBurstSeconds > 0 && admission.throughputBurstSeconds <= 3600,
                  "admission.throughput_burst_seconds", "must be in (0, 3600]")
        try check(enforcement.spamRestrictionScore > 0, "enforcement.spam_restriction_score", "must be > 0")
        try check(enforcement.policyBlockScore >= enforcement.spamRestrictionScore,
                  "enforcement.policy_block_score", "must be at least spam_restriction_score")
        try check(enforcement.spamRestrictionHours > 0 && enforcement.spamRestrictionHours <= 8760, "enforcement.spam_restriction_hours", "must be in (0, 8760]")
        try check(enforcement.policyBlockHours > 0 && enforcement.policyBlockHours <= 8760, "enforcement.policy_block_hours", "must be in (0, 8760]")
        try check(analyzer.idleEvictionDays >= 7 && analyzer.idleEvictionDays <= 365, "analyzer.idle_eviction_days", "must be in 7…365")
        try check(analyzer.policyEvaluationMinutes >= 1 && analyzer.policyEvaluationMinutes <= 1440,
                  "analyzer.policy_evaluation_minutes", "must be in 1…1440")
        try check(analyzer.qualityRescoreMinutes >= 1 && analyzer.qualityRescoreMinutes <= 1440,
                  "analyzer.quality_rescore_minutes", "must be in 1…1440")
        try detection.validate()
    }
}
