public import Transport

/// Everything the analyzer knows about one business at one moment — what `vigil analyze` writes,
/// what `/v1/signals/{business}` serves, what detectors and alerts read. Counts of users are
/// estimates: exact while a table has room (`samplingLevel… == 0`), a uniform sample scaled up
/// beyond.
public struct BusinessSignals: Sendable, Hashable {
    /// The business number.
    public var business: PhoneNumber
    /// The moment the signals describe (ms since the Unix epoch).
    public var time: Int64

    // Policy.
    /// Quality rating.
    public var qualityRating: QualityRating
    /// Number status.
    public var status: NumberStatus
    /// Messaging-limit tier.
    public var messagingLimit: MessagingTier
    /// The tier's limit of business-initiated users per 24 h (nil: unlimited).
    public var messagingLimitUsers: Int?
    /// Messages per second the number may send.
    public var throughputPerSecond: Int
    /// The quality score behind the rating (nil: nothing to rate).
    public var qualityScore: Double?
    /// Start of the FLAGGED period, if flagged.
    public var flaggedSince: Int64?
    /// End of a spam restriction in force.
    public var spamRestrictedUntil: Int64?
    /// End of a policy block in force.
    public var policyBlockedUntil: Int64?

    // Sending.
    /// Business-to-user messages per second, decayed over ~1 minute.
    public var sendRate1m: Double
    /// Business-to-user messages per second, decayed over ~1 hour.
    public var sendRate1h: Double
    /// Business-to-user messages in the last 15 seconds.
    public var burst15s: Int
    /// The largest 15-second count in the last 24 hours.
    public var peakBurst15s24h: Int

    // Reach.
    /// Distinct users messaged in the last 24 hours.
    public var uniqueRecipients24h: Double
    /// Distinct users messaged outside a customer-service window in the last 24 hours (Meta's
    /// messaging-limit counter).
    public var businessInitiated24h: Double
    /// The highest ``businessInitiated24h`` of the last 7 days.
    public var peakBusinessInitiated7d: Double
    /// Users messaged in the last 24 hours who had never written to the business.
    public var coldRecipients24h: Double
    /// ``coldRecipients24h`` / ``uniqueRecipients24h`` (0 with no recipient).
    public var coldRecipientShare: Double
    /// Distinct users who wrote to the business in the last 24 hours.
    public var recentWriters24h: Double
    /// Distinct users active anywhere in the last 24 hours (the global count).
    public var activeUsers24h: Double
    /// ``uniqueRecipients24h`` / ``activeUsers24h``: how close to "message all users".
    public var reach24h: Double

    // Engagement.
    /// Delivered receipts per message sent, decayed over ~24 hours.
    public var deliveredRate24h: Double
    /// Read receipts per delivered receipt, decayed over ~24 hours.
    public var readRate24h: Double
    /// Share of the last 24 hours' recipients who wrote back after the business's message.
    public var replyRate24h: Double

    // Feedback (7 days, proof of contact, recency-weighted).
    /// Distinct users with a delivery in the last 7 days.
    public var deliveredUsers7d: Double
    /// Counted blocks per delivered user, recency-weighted.
    public var blockRate7d: Double
    /// Counted reports per delivered user, recency-weighted.
    public var reportRate7d: Double
    /// Share of the weighted counted blocks by reason.
    public var blockReasons: [BlockReason: Double]
    /// Share of the weighted counted reports by reason.
    public var reportReasons: [ReportReason: Double]
    /// Blocks in the last 7 days from users the business never delivered to (ignored for the
    /// rating; with ``unprovenReports7d``, a report-bombing signal).
    public var unprovenBlocks7d: Double
    /// Reports in the last 7 days from users the business never delivered to.
    public var unprovenReports7d: Double

    // Totals and bookkeeping.
    /// Business-to-user messages, lifetime.
    public var messagesSent: Int
    /// User-to-business messages, lifetime.
    public var messagesReceived: Int
    /// Delivered receipts, lifetime.
    public var delivered: Int
    /// Read receipts, lifetime.
    public var read: Int
    /// Blocks received, lifetime (counted or not).
    public var blocks: Int
    /// Reports received, lifetime (counted or not).
    public var reports: Int
    /// Blocks counted (proof of contact, once per user per 7 days), lifetime.
    public var countedBlocks: Int
    /// Reports counted, lifetime.
    public var countedReports: Int
    /// Sampled `service` messages sent outside a customer-service window (a mislabelled category).
    public var serviceOutsideWindow: Int
    /// Admission refusals by Meta code (368, 131048, 131056, 130429).
    public var refusals: [Int: Int]
    /// Sampling level of the 24-hour table (0: exact; L: one user in 2^L is kept).
    public var samplingLevel24h: Int
    /// Sampling level of the 7-day table.
    public var samplingLevel7d: Int
    /// Share of the writer filter's bits set (≥ 0.5: cold counts err low).
    public var writerFilterFill: Double
    /// Heap and inline bytes of the business's state (0 for a dormant business).
    public var memoryBytes: Int
    /// First event time.
    public var firstSeen: Int64
    /// Latest event time.
    public var lastSeen: Int64
    /// Whether the business is dormant (idle past the eviction period: policy state only).
    public var dormant: Bool
}
