/// A business number's standing — quality rating, FLAGGED timer, messaging-limit tier, throughput
/// upgrade, restrictions — as a pure state machine on event time.
///
/// ``evaluate(_:rules:)`` takes what the signals measured at one moment and returns the changes it
/// made, in order; it reads no clock and does no I/O, so every transition is a one-line test.
///
/// The transitions, as Meta documents them for the Cloud API:
/// - the rating follows the quality score (thresholds with hysteresis, ``Rules/Quality``);
/// - RED → FLAGGED; leaving RED while FLAGGED → unflagged at the same tier; FLAGGED for the whole
///   flagged period → one tier down, and the timer restarts;
/// - not RED, not FLAGGED, and the 7-day peak of business-initiated users ≥ the usage fraction of
///   the limit → one tier up, at most once per cooldown (counted from onboarding too, so a number
///   registered minutes ago cannot climb tiers at once); reaching TIER_UNLIMITED upgrades
///   throughput;
/// - business-initiated users in 24 h ≥ the limit → RESTRICTED until the window rolls below it;
/// - very low quality → a spam restriction (131048), extreme → a policy block (368), each for a
///   fixed time.
public struct NumberPolicy: Sendable, Hashable {
    /// The quality rating.
    public internal(set) var rating: QualityRating = .unknown
    /// The messaging-limit tier.
    public internal(set) var tier: MessagingTier
    /// When the current FLAGGED period (or its latest restart after a downgrade) began.
    public internal(set) var flaggedSince: Int64?
    /// Whether the rolling business-initiated count has reached the tier's limit.
    public internal(set) var limitReached = false
    /// End of the spam restriction in force.
    public internal(set) var spamRestrictedUntil: Int64?
    /// End of the policy block in force.
    public internal(set) var policyBlockedUntil: Int64?
    /// Whether throughput was upgraded (the number reached TIER_UNLIMITED).
    public internal(set) var throughputUpgraded = false
    /// When the tier last changed — or, before any change, when the number was first evaluated
    /// (so a brand-new number, too, waits a cooldown before its first upgrade).
    public internal(set) var lastTierChange: Int64?
    /// The latest time evaluated.
    public internal(set) var evaluatedAt: Int64 = .min

    /// What the signals say at one moment.
    public struct Inputs: Sendable, Hashable {
        /// The moment.
        public var time: Int64
        /// The quality score (``Rules/Quality``), or nil with no delivery and no feedback in 7 days.
        public var qualityScore: Double?
        /// Business-initiated unique users in the last 24 hours (estimate).
        public var businessInitiated24h: Double
        /// The highest ``businessInitiated24h`` seen in the last 7 days.
        public var peakBusinessInitiated7d: Double

        /// Creates inputs.
        public init(time: Int64, qualityScore: Double?, businessInitiated24h: Double, peakBusinessInitiated7d: Double) {
            self.time = time
            self.qualityScore = qualityScore
            self.businessInitiated24h = businessInitiated24h
            self.peakBusinessInitiated7d = peakBusinessInitiated7d
        }
    }

    /// A new number at `tier`.
    public init(tier: MessagingTier) {
        self.tier = tier
    }

    /// The status Meta would show.
    public var status: NumberStatus {
        if limitReached || spamRestrictedUntil != nil || policyBlockedUntil != nil { return .restricted }
        return flaggedSince != nil ? .flagged : .connected
    }

    /// Whether a spam restriction is in force at `time`.
    public func isSpamRestricted(at time: Int64) -> Bool { spamRestrictedUntil.map { time < $0 } ?? false }

    /// Whether a policy block is in force at `time`.
    public func isPolicyBlocked(at time: Int64) -> Bool { policyBlockedUntil.map { time < $0 } ?? false }

    /// Whether a timer is running (FLAGGED, a restriction, a block, a reached limit), so the
    /// analyzer re-evaluates the number even when it is silent.
    public var hasPendingTimer: Bool {
        flaggedSince != nil || spamRestrictedUntil != nil || policyBlockedUntil != nil || limitReached
    }

    /// Applies the rules to `inputs`; returns the changes made, in order. Time never runs
    /// backwards: inputs older than the last evaluation are evaluated at the last evaluation's time.
    public mutating func evaluate(_ inputs: Inputs, rules: Rules) -> [PolicyChange.Kind] {
        evaluate(inputs, thresholds: Thresholds(rules))
    }

    /// ``evaluate(_:rules:)`` with the rules' thresholds prepared once.
    ///
    /// Most evaluations change nothing — a small business's every event after a quiet spell is
    /// one — so a settled number (``isSettled(_:thresholds:)``) only records the time; the steps
    /// run out of line. The analyzer makes the same two calls itself (no array on the settled
    /// path).
    mutating func evaluate(_ inputs: Inputs, thresholds rules: borrowing Thresholds) -> [PolicyChange.Kind] {
        recordIfSettled(inputs, thresholds: rules) ? [] : evaluateEveryStep(inputs, thresholds: rules)
    }

    /// Records an evaluation at `inputs` that changes nothing — its time — if the number is
    /// settled; returns whether it was (else ``evaluateEveryStep(_:thresholds:)`` must run).
    @inline(__always)
    mutating func recordIfSettled(_ inputs: Inputs, thresholds rules: borrowing Thresholds) -> Bool {
        guard isSettled(inputs, thresholds: rules) else { return false }
        evaluatedAt = max(inputs.time, evaluatedAt)
        return true
    }

    /// Whether every step of an evaluation at `inputs` would leave the number as it is: it has
    /// been evaluated before, no timer runs (not FLAGGED, no restriction, no block, the limit
    /// not reached), it is not RED, the score keeps the rating and is below both enforcement
    /// scores, the count is below the limit, and an upgrade is not due (cooldown running, or the
    /// 7-day peak below the usage fraction of the limit). It may answer false for a number that
    /// would not change; never true for one that would.
    @inline(__always)
    func isSettled(_ inputs: Inputs, thresholds rules: borrowing Thresholds) -> Bool {
        guard let last = lastTierChange, !hasPendingTimer, rating != .red else { return false }
        guard nextRating(for: inputs.qualityScore, rules: rules) == rating else { return false }
        if let score = inputs.qualityScore {
            let enforcement = rules.enforcement
            guard score < enforcement.spamRestrictionScore && score < enforcement.policyBlockScore else { return false }
        }
        // No limit (TIER_UNLIMITED, or a tier past invalid rules' list): no upgrade, nothing to reach.
        guard let limit = rules.limit(of: tier) else { return true }
        guard inputs.businessInitiated24h < Double(limit) else { return false }
        let cooldown = rules.upgradeCooldown, usage = rules.upgradeUsageFraction
        return Double(max(inputs.time, evaluatedAt) - last) < cooldown || inputs.peakBusinessInitiated7d < usage * Double(limit)
    }

    /// Every step of an evaluation, in order.
    @inline(never)
    mutating func evaluateEveryStep(_ inputs: Inputs, thresholds rules: borrowing Thresholds) -> [PolicyChange.Kind] {
        let time = max(inputs.time, evaluatedAt)
        evaluatedAt = time
        if lastTierChange == nil { lastTierChange = time }
        let statusBefore = status
        var changes: [PolicyChange.Kind] = []
        expireTimers(at: time, into: &changes)
        rate(inputs.qualityScore, rules: rules, into: &changes)
        updateFlag(at: time, rules: rules, into: &changes)
        enforce(inputs.qualityScore, at: time, rules: rules.enforcement, into: &changes)
        upgradeIfEligible(peak: inputs.peakBusinessInitiated7d, at: time, rules: rules, into: &changes)
        updateLimit(inputs.businessInitiated24h, rules: rules, into: &changes)
        if status != statusBefore { changes.append(.statusChanged(from: statusBefore, to: status)) }
        return changes
    }

    /// Imposes a policy block until `until` (a detector's or an operator's decision).
    public mutating func block(until: Int64, at time: Int64) -> [PolicyChange.Kind] {
        let statusBefore = status
        guard until > time, until > (policyBlockedUntil ?? .min) else { return [] }
        policyBlockedUntil = until
        var changes: [PolicyChange.Kind] = [.policyBlocked(until: until)]
        if status != statusBefore { changes.append(.statusChanged(from: statusBefore, to: status)) }
        return changes
    }
}
