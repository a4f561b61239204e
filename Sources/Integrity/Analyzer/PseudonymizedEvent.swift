public import Transport

/// An ``IntegrityEvent`` after the door: the consumer's number replaced by its pseudonyms. This is
/// what per-business state, detectors and alerts see.
public struct PseudonymizedEvent: Sendable, Hashable {
    /// Event time, ms since the Unix epoch.
    public let time: Int64
    /// The business number.
    public let business: PhoneNumber
    /// The consumer's pseudonyms.
    public let user: PseudonymPair
    /// What happened.
    public let kind: IntegrityEvent.Kind

    /// Creates an event.
    public init(time: Int64, business: PhoneNumber, user: PseudonymPair, kind: IntegrityEvent.Kind) {
        self.time = time
        self.business = business
        self.user = user
        self.kind = kind
    }
}

/// What the analyzer made of one event — for detectors that watch the stream.
public struct EventOutcome: Sendable, Hashable {
    /// How a block or report was treated.
    public enum Feedback: Sendable, Hashable {
        /// Counted: the business delivered to this user in the last 7 days, first time in 7 days.
        case counted
        /// Already counted from this user within 7 days.
        case duplicate
        /// No delivery to this user in the last 7 days: ignored (report-bombing cannot count).
        case withoutProofOfContact
        /// The user is outside the business's sample; the sampled users stand for them.
        case notSampled
    }

    /// Whether the user is in the business's sample for the table the event touched.
    public var sampled = true
    /// For a business-to-user message to a sampled user: whether it was business-initiated (no
    /// message from the user in the previous 24 hours).
    public var businessInitiated: Bool?
    /// For a business-to-user message: whether the user has never written to the business.
    public var coldRecipient: Bool?
    /// For a user-to-business message from a sampled user: whether it answers a business message
    /// of the last 24 hours.
    public var reply: Bool?
    /// For a block or report.
    public var feedback: Feedback?
    /// Whether the event changed the business's policy state (see the analyzer's change stream).
    public var policyChanged = false

    /// An outcome with nothing set.
    public init() {}
}
