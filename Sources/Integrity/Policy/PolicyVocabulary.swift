/// A number's quality rating, as Meta reports it (`quality_rating`).
public enum QualityRating: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Not enough recent deliveries to rate (`NA`).
    case unknown = 0
    /// High quality.
    case green = 1
    /// Medium quality.
    case yellow = 2
    /// Low quality.
    case red = 3

    /// `GREEN`, `YELLOW`, `RED` or `NA`.
    public var description: String {
        switch self {
        case .unknown: "NA"
        case .green: "GREEN"
        case .yellow: "YELLOW"
        case .red: "RED"
        }
    }
}

/// A number's status, as Meta reports it (`status`).
public enum NumberStatus: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Sending normally.
    case connected = 0
    /// Low quality (RED): recover within 7 days or lose one tier.
    case flagged = 1
    /// Business-initiated messaging is refused: the messaging limit is reached, a spam
    /// restriction or a policy block is in force. Replies inside customer-service windows still go
    /// (except under a policy block).
    case restricted = 2

    /// `CONNECTED`, `FLAGGED` or `RESTRICTED`.
    public var description: String {
        switch self {
        case .connected: "CONNECTED"
        case .flagged: "FLAGGED"
        case .restricted: "RESTRICTED"
        }
    }
}

/// A messaging-limit tier: how many users a business may reach with business-initiated messages
/// in a rolling 24 hours. The limits themselves are in ``Rules/Limits/tierLimits``.
public enum MessagingTier: Int, Sendable, Hashable, CaseIterable, Comparable, CustomStringConvertible {
    /// 250 users (default limit).
    case tier250 = 0
    /// 2 000 users.
    case tier2K = 1
    /// 10 000 users.
    case tier10K = 2
    /// 100 000 users.
    case tier100K = 3
    /// No limit.
    case unlimited = 4

    /// Meta's name: `TIER_250`, `TIER_2K`, `TIER_10K`, `TIER_100K`, `TIER_UNLIMITED`.
    public var description: String {
        switch self {
        case .tier250: "TIER_250"
        case .tier2K: "TIER_2K"
        case .tier10K: "TIER_10K"
        case .tier100K: "TIER_100K"
        case .unlimited: "TIER_UNLIMITED"
        }
    }

    /// The tier named `name` (Meta's spelling).
    public init?(name: String) {
        guard let tier = Self.allCases.first(where: { $0.description == name }) else { return nil }
        self = tier
    }

    /// The next tier up, or nil at unlimited.
    public var higher: MessagingTier? { MessagingTier(rawValue: rawValue + 1) }
    /// The next tier down, or nil at the lowest.
    public var lower: MessagingTier? { MessagingTier(rawValue: rawValue - 1) }

    /// Lower tiers first.
    public static func < (a: MessagingTier, b: MessagingTier) -> Bool { a.rawValue < b.rawValue }
}
