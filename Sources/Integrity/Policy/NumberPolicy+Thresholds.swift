extension NumberPolicy {
    /// What ``NumberPolicy/evaluate(_:rules:)`` reads of ``Rules``, as one flat immutable object.
    ///
    /// The analyzer evaluates a business's policy every few minutes of its event time — about
    /// every other event at 10⁵ businesses — and handing it the whole ``Rules`` (~0.4 KiB, read
    /// from the analyzer's shared parameters) copied them onto the stack on every evaluation. The
    /// analyzer builds this once; ``evaluate(_:rules:)`` (for tests and tools) builds — allocates —
    /// it per call. A class (immutable, so shared safely): as a struct, this too was copied (144
    /// bytes) out of the parameters on every evaluation; a reference is passed as is.
    final class Thresholds: Sendable {
        /// ``Rules/Quality``'s thresholds.
        let yellowScore: Double
        let redScore: Double
        let recoveryFactor: Double
        /// ``Rules/Limits/flaggedDays`` in milliseconds.
        let flaggedPeriod: Int64
        /// ``Rules/Limits/upgradeCooldownHours`` in milliseconds.
        let upgradeCooldown: Double
        let upgradeUsageFraction: Double
        /// The limit of each tier below TIER_UNLIMITED (nil past the rules' list, which valid
        /// rules never are: they list four).
        let tierLimits: InlineArray<4, Int?>
        /// ``Rules/enforcement``.
        let enforcement: Rules.Enforcement

        /// The thresholds of `rules`.
        init(_ rules: Rules) {
            yellowScore = rules.quality.yellowScore
            redScore = rules.quality.redScore
            recoveryFactor = rules.quality.recoveryFactor
            flaggedPeriod = Int64(rules.limits.flaggedDays * 86_400_000)
            upgradeCooldown = rules.limits.upgradeCooldownHours * 3_600_000
            upgradeUsageFraction = rules.limits.upgradeUsageFraction
            let limits = rules.limits.tierLimits
            tierLimits = InlineArray { index in index < limits.count ? limits[index] : nil }
            enforcement = rules.enforcement
        }

        /// The limit of `tier` (nil for unlimited), as ``Rules/limit(of:)``.
        @inline(__always)
        func limit(of tier: MessagingTier) -> Int? {
            tier == .unlimited ? nil : tierLimits[tier.rawValue]
        }
    }
}
