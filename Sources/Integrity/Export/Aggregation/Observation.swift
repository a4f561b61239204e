import Transport

/// What one event contributes, after receipt matching: the user's pseudonym, the business, the
/// cells it falls in and the metric it moves. Internal to the aggregators: the raw consumer number
/// never gets this far (only its calling code does).
struct Observation: Sendable, Hashable {
    /// The privacy unit's key.
    var user: Pseudonym
    /// The business's digits (businesses are public parties, not privacy units).
    var business: UInt64
    /// The cells this observation counts in (one per dimension at most).
    var cells: [StatisticsCell]
    /// What it counts.
    var metric: Metric

    /// The measured quantity.
    enum Metric: Sendable, Hashable {
        /// A message of this many bytes.
        case sent(bytes: Int)
        /// A delivered receipt; the latency when the message was matched.
        case delivered(latencyMilliseconds: Int64?)
        /// A read receipt.
        case read
        /// A block, by reason.
        case block(BlockReason)
        /// A report, by reason.
        case report(ReportReason)
    }
}

/// The attributes of a business message kept while waiting for its receipts.
struct MessageAttributes: Sendable, Hashable {
    /// When it was sent (ms).
    var time: Int64
    /// Category value code (see ``StatisticsCell/categoryNames``).
    var category: UInt16
    /// Size class code.
    var size: UInt16
}
