extension NumberPolicy {
    /// What ``NumberPolicy/evaluate(_:rules:)`` reads of ``Rules``, as one flat value of numbers.
    ///
    /// The analyzer evaluates a business's policy every few minutes of its event time — about
    /// every other event at 10⁵ businesses — and handing it the whole ``Rules`` (~0.4 KiB, read
    /// from the analyzer's shared parameters) copied them onto the stack on every evaluation. The
    /// analyzer builds this value once; ``evaluate(_:rules:)`` builds it per call.
    struct Thresholds: Sendable {
        /// ``Rules/Quality``'s thresholds.
        var yellowScore: Double
        var redScore: Double
        var recoveryFactor: Double
        /// ``Rules/Limits/flaggedDays`` in milliseconds.
        var flaggedPeriod: Int64
        /// ``Rules/Limits/upgradeCooldownHours`` in milliseconds.
        var upgradeCooldown: Double
        var upgradeUsageFraction: Double
        /// The limit of each tier below TIER_UNLIMITED (nil past the rules' list, which valid
        /// rules never are: they list four).
        var tierLimits: InlineArray<4, Int?>
        /// ``Rules/enforcement``.
        var enforcement: Rules.Enforcement

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
