/// What the dashboard charts of one business at one moment: a few figures taken from its
/// ``BusinessSignals`` (64 bytes, so a history of many samples stays small).
public struct SignalSample: Sendable, Hashable {
    /// The sampling moment (ms since the Unix epoch).
    public var time: Int64
    /// Business-to-user messages per second, decayed over ~1 minute.
    public var sendRate1m: Double
    /// Business-to-user messages per second, decayed over ~1 hour.
    public var sendRate1h: Double
    /// Distinct users reached outside a customer-service window in the last 24 hours.
    public var businessInitiated24h: Double
    /// Counted blocks per delivered user over 7 days.
    public var blockRate7d: Double
    /// Counted reports per delivered user over 7 days.
    public var reportRate7d: Double
    // The optional after the doubles and before the one-byte enums keeps the stride at 64 bytes.
    /// The tier's limit on ``businessInitiated24h`` (nil: unlimited).
    public var messagingLimitUsers: Int?
    /// Quality rating.
    public var qualityRating: QualityRating
    /// Number status.
    public var status: NumberStatus
    /// Messaging-limit tier.
    public var messagingLimit: MessagingTier

    /// A sample with every figure given.
    public init(time: Int64, sendRate1m: Double, sendRate1h: Double, businessInitiated24h: Double,
                messagingLimitUsers: Int?, blockRate7d: Double, reportRate7d: Double,
                qualityRating: QualityRating, status: NumberStatus, messagingLimit: MessagingTier) {
        self.time = time
        self.sendRate1m = sendRate1m
        self.sendRate1h = sendRate1h
        self.businessInitiated24h = businessInitiated24h
        self.messagingLimitUsers = messagingLimitUsers
        self.blockRate7d = blockRate7d
        self.reportRate7d = reportRate7d
        self.qualityRating = qualityRating
        self.status = status
        self.messagingLimit = messagingLimit
    }

    /// The charted figures of `signals`, stamped `time`.
    public init(_ signals: BusinessSignals, at time: Int64) {
        self.init(time: time, sendRate1m: signals.sendRate1m, sendRate1h: signals.sendRate1h,
                  businessInitiated24h: signals.businessInitiated24h, messagingLimitUsers: signals.messagingLimitUsers,
                  blockRate7d: signals.blockRate7d, reportRate7d: signals.reportRate7d,
                  qualityRating: signals.qualityRating, status: signals.status, messagingLimit: signals.messagingLimit)
    }
}
