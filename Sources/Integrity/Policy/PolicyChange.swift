public import Transport

/// A change of a business number's standing, published by the analyzer (``IntegrityAnalyzer/drainPolicyChanges()``)
/// for the Cloud API to turn into `phone_number_quality_update` and `account_update` webhooks.
public struct PolicyChange: Sendable, Hashable, CustomStringConvertible {
    /// Event time of the change, ms since the Unix epoch.
    public let time: Int64
    /// The business number.
    public let business: PhoneNumber
    /// What changed.
    public let kind: Kind

    /// Creates a change.
    public init(time: Int64, business: PhoneNumber, kind: Kind) {
        self.time = time
        self.business = business
        self.kind = kind
    }

    /// The kinds of change.
    public enum Kind: Sendable, Hashable {
        /// The quality rating moved.
        case qualityRatingChanged(from: QualityRating, to: QualityRating)
        /// The derived status moved.
        case statusChanged(from: NumberStatus, to: NumberStatus)
        /// The rating turned RED: the number is FLAGGED and must recover within the flagged period.
        case flagged
        /// The rating left RED while FLAGGED: CONNECTED again at the same tier.
        case unflagged
        /// Automatic upgrade: quality not RED and at least the usage fraction of the limit used.
        case tierUpgraded(from: MessagingTier, to: MessagingTier)
        /// FLAGGED for the whole flagged period: one tier down.
        case tierDowngraded(from: MessagingTier, to: MessagingTier)
        /// The number reached TIER_UNLIMITED: throughput rises to the upgraded rate.
        case throughputUpgraded
        /// Business-initiated users in the last 24 h reached the tier's limit: RESTRICTED.
        case messagingLimitReached(MessagingTier)
        /// The rolling count fell below the limit again.
        case messagingLimitCleared(MessagingTier)
        /// Quality so low that business-initiated messages are refused (131048) until `until`.
        case spamRestricted(until: Int64)
        /// The spam restriction ended.
        case spamRestrictionLifted
        /// Every message is refused (368) until `until`.
        case policyBlocked(until: Int64)
        /// The policy block ended.
        case policyBlockLifted
    }

    /// The Meta webhook this change becomes, as (field, event): `phone_number_quality_update`
    /// with FLAGGED, UNFLAGGED, UPGRADE, DOWNGRADE or THROUGHPUT_UPGRADE; `account_update` with
    /// ACCOUNT_RESTRICTION or ACCOUNT_VIOLATION. Nil for changes Meta only shows on the number
    /// (rating, status, limit reached).
    public var webhook: (field: String, event: String)? {
        switch kind {
        case .flagged: ("phone_number_quality_update", "FLAGGED")
        case .unflagged: ("phone_number_quality_update", "UNFLAGGED")
        case .tierUpgraded: ("phone_number_quality_update", "UPGRADE")
        case .tierDowngraded: ("phone_number_quality_update", "DOWNGRADE")
        case .throughputUpgraded: ("phone_number_quality_update", "THROUGHPUT_UPGRADE")
        case .spamRestricted: ("account_update", "ACCOUNT_RESTRICTION")
        case .policyBlocked: ("account_update", "ACCOUNT_VIOLATION")
        default: nil
        }
    }

    /// One line, e.g. `+14155550100 at 1700000000000: tier TIER_250 → TIER_2K`.
    public var description: String {
        let what: String = switch kind {
        case let .qualityRatingChanged(from, to): "quality \(from) → \(to)"
        case let .statusChanged(from, to): "status \(from) → \(to)"
        case .flagged: "flagged"
        case .unflagged: "unflagged"
        case let .tierUpgraded(from, to): "tier \(from) → \(to) (upgrade)"
        case let .tierDowngraded(from, to): "tier \(from) → \(to) (downgrade)"
        case .throughputUpgraded: "throughput upgraded"
        case let .messagingLimitReached(tier): "messaging limit of \(tier) reached"
        case let .messagingLimitCleared(tier): "messaging limit of \(tier) no longer reached"
        case let .spamRestricted(until): "spam restriction until \(until)"
        case .spamRestrictionLifted: "spam restriction lifted"
        case let .policyBlocked(until): "policy block until \(until)"
        case .policyBlockLifted: "policy block lifted"
        }
        return "\(business) at \(time): \(what)"
    }
}
