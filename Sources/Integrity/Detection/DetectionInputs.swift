/// What every detector may read at one evaluation besides its own counters: the business's
/// figures from the analyzer (as of its latest event) and the platform's population.
struct DetectionInputs: Sendable, Hashable {
    /// The evaluation time.
    var time: Int64
    /// Time since the business's first event (the closest to "registered N minutes ago").
    var age: Int64
    /// The quality rating.
    var rating: QualityRating
    /// Business-initiated users in 24 h (as of the latest event, 0 once that is a day old).
    var businessInitiated24h: Double
    /// The tier's limit (nil: unlimited).
    var messagingLimitUsers: Int?
    /// Users active on the platform in 24 h (0: not estimated yet).
    var population: Double
}
