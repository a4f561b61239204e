/// Every threshold of the integrity analyzer, in one value — loaded from one JSON file
/// (`vigil analyze --rules FILE`; any key left out keeps its default, an unknown key is an error).
///
/// Meta publishes the shape of its rules (tiers, the 7-day recency-weighted quality rating, the
/// FLAGGED → downgrade timer, the upgrade condition, throughput and pair rates) but not the
/// quality thresholds; Vigil's defaults for those are stated on each property.
///
/// ```json
/// {"quality": {"yellow_score": 0.02, "red_score": 0.06}, "limits": {"tier_limits": [250, 2000, 10000, 100000]}}
/// ```
public struct Rules: Sendable, Hashable {
    /// Pseudonym key rotation.
    public var pseudonyms = Pseudonyms()
    /// Per-business memory: table sizes and recency weighting.
    public var signals = Signals()
    /// The quality rating.
    public var quality = Quality()
    /// Messaging-limit tiers.
    public var limits = Limits()
    /// Admission rate limits.
    public var admission = Admission()
    /// Restrictions and blocks on very low quality.
    public var enforcement = Enforcement()
    /// Housekeeping.
    public var analyzer = Analyzer()
    /// Detectors and alerts (``Detection``).
    public var detection = Detection()

    /// The defaults.
    public init() {}

    /// `pseudonyms` — key epochs (``KeySchedule``).
    public struct Pseudonyms: Sendable, Hashable {
        /// `rotation_days`: a key pseudonymizes this many days of events (default 30).
        public var rotationDays = 30
        /// `grace_days`: the previous key is kept this long after a rotation for look-ups only,
        /// then destroyed (default 7, the longest window, so 7-day proofs of contact survive it).
        public var graceDays = 7
        /// The defaults.
        public init() {}
    }

    /// `signals` — the bounded per-business state.
    public struct Signals: Sendable, Hashable {
        /// `recent_contact_slots`: slots of the 24-hour table (users written to or heard from);
        /// exact up to ¾ of it, a uniform sample beyond (default 512, 6 KiB).
        public var recentContactSlots = 512
        /// `contact_proof_slots`: slots of the 7-day table (deliveries, counted blocks and reports)
        /// (default 512, 6 KiB).
        public var contactProofSlots = 512
        /// `writer_filter_bits`: size of the "ever wrote to the business" Bloom filter
        /// (default 4 096 bits, 512 B; two during a key's grace period).
        public var writerFilterBits = 4096
        /// `pair_slots`: (business, user) pairs whose pair-rate state is remembered; when full,
        /// the pair closest to a full bucket is forgotten (default 32).
        public var pairSlots = 32
        /// `recency_half_life_hours`: in 7-day rates, an event this old weighs half as much as one
        /// now (default 48).
        public var recencyHalfLifeHours = 48.0
        /// The defaults.
        public init() {}
    }

    /// `quality` — the rating from blocks and reports with proof of contact over 7 days.
    ///
    /// score = Σ recency × reason weight over counted blocks and reports
    ///       / (Σ recency over users delivered to + `prior_users`)
    public struct Quality: Sendable, Hashable {
        /// `yellow_score`: YELLOW at or above (default 0.02).
        public var yellowScore = 0.02
        /// `red_score`: RED at or above (default 0.06).
        public var redScore = 0.06
        /// `recovery_factor`: a rating improves only once the score is below its threshold times
        /// this (hysteresis; default 0.8).
        public var recoveryFactor = 0.8
        /// `prior_users`: clean delivered users added to the denominator, so that one report
        /// against a business that reached three users is not a 33 % rate (default 20).
        public var priorUsers = 20.0
        /// `block_weights`: weight of a block by reason (defaults: spam 1, didnt_sign_up 1,
        /// offensive 1, no_reason 0.5, no_longer_needed 0.25).
        public var blockWeights: [String: Double] = [
            "spam": 1, "didnt_sign_up": 1, "offensive": 1, "no_reason": 0.5, "no_longer_needed": 0.25,
        ]
        /// `report_weights`: weight of a report by reason (defaults: spam 1.5, scam 2,
        /// offensive 1.5, other 0.5).
        public var reportWeights: [String: Double] = ["spam": 1.5, "scam": 2, "offensive": 1.5, "other": 0.5]
        /// The defaults.
        public init() {}
    }

    /// `limits` — messaging-limit tiers and their automatic changes.
    public struct Limits: Sendable, Hashable {
        /// `tier_limits`: business-initiated unique users per rolling 24 h of TIER_250, TIER_2K,
        /// TIER_10K and TIER_100K (TIER_UNLIMITED has none) (default 250, 2 000, 10 000, 100 000).
        public var tierLimits = [250, 2000, 10000, 100_000]
        /// `initial_tier`: a new number's tier (default `TIER_250`).
        public var initialTier = MessagingTier.tier250
        /// `upgrade_usage_fraction`: upgrade once the 7-day peak of business-initiated users
        /// reaches this share of the limit, quality not RED and not FLAGGED (default 0.5).
        public var upgradeUsageFraction = 0.5
        /// `upgrade_cooldown_hours`: at least this long at a tier before an upgrade — after the
        /// previous change, or after a new number's first event (default 6).
        public var upgradeCooldownHours = 6.0
        /// `flagged_days`: a FLAGGED number that has not recovered after this many days drops a
        /// tier, and the timer starts again (default 7).
        public var flaggedDays = 7.0
        /// The defaults.
        public init() {}
    }

    /// `admission` — rate limits answered to the relay.
    public struct Admission: Sendable, Hashable {
        /// `pair_interval_ms`: one message per this interval to the same user (default 6 000).
        public var pairIntervalMilliseconds = 6000
        /// `pair_burst`: messages that may be borrowed in a burst to one user (default 45).
        public var pairBurst = 45
        /// `throughput_per_second`: messages per second per number (default 80).
        public var throughputPerSecond = 80
        /// `upgraded_throughput_per_second`: once the number reaches TIER_UNLIMITED (default 1 000).
        public var upgradedThroughputPerSecond = 1000
        /// `throughput_burst_seconds`: seconds of throughput that may arrive at once (default 1).
        public var throughputBurstSeconds = 1.0
        /// The defaults.
        public init() {}
    }

    /// `enforcement` — what very low quality does beyond the rating.
    public struct Enforcement: Sendable, Hashable {
        /// `spam_restriction_score`: at or above, business-initiated messages are refused with
        /// 131048 for `spam_restriction_hours` (default 0.15).
        public var spamRestrictionScore = 0.15
        /// `spam_restriction_hours` (default 24).
        public var spamRestrictionHours = 24.0
        /// `policy_block_score`: at or above, every message is refused with 368 for
        /// `policy_block_hours` (default 0.35).
        public var policyBlockScore = 0.35
        /// `policy_block_hours` (default 72).
        public var policyBlockHours = 72.0
        /// The defaults.
        public init() {}
    }

    /// `analyzer` — housekeeping.
    public struct Analyzer: Sendable, Hashable {
        /// `idle_eviction_days`: a business silent this long gives up its tables and keeps only
        /// its policy state (default 8: longer than every window).
        public var idleEvictionDays = 8.0
        /// `policy_evaluation_minutes`: a business's policy (timers, tier, limit) is re-evaluated
        /// at least this often on its event time, and at once when its business-initiated count
        /// crosses the limit (default 10).
        public var policyEvaluationMinutes = 10.0
        /// `quality_rescore_minutes`: the quality score (a scan of the 7-day table) is re-measured
        /// at least this often, and at once after each counted block or report (default 60).
        public var qualityRescoreMinutes = 60.0
        /// The defaults.
        public init() {}
    }
}

extension Rules {
    /// The key schedule the pseudonym rules describe.
    public func keySchedule() throws(RulesError) -> KeySchedule {
        do {
            return try KeySchedule(rotationMilliseconds: Int64(pseudonyms.rotationDays) * 86_400_000,
                                   graceMilliseconds: Int64(pseudonyms.graceDays) * 86_400_000)
        } catch {
            throw RulesError(path: "pseudonyms", message: error.description)
        }
    }

    /// The limit of `tier` (nil for unlimited).
    public func limit(of tier: MessagingTier) -> Int? {
        tier == .unlimited ? nil : limits.tierLimits[tier.rawValue]
    }
}

/// A rules file that cannot be used: where (a dotted key path) and why.
public struct RulesError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The key path, e.g. `quality.red_score`.
    public let path: String
    /// What is wrong.
    public let message: String

    /// Creates an error.
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    /// `rules: PATH: MESSAGE`.
    public var description: String { path.isEmpty ? "rules: \(message)" : "rules: \(path): \(message)" }
}
