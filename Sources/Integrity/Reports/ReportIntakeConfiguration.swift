/// The knobs of report intake, with documented defaults.
public struct ReportIntakeConfiguration: Sendable, Hashable {
    /// Items per batch (`POST /v1/reports` answers 413 above it). Default 1 000.
    public var maximumBatchSize = 1_000
    /// Reports one reporter may file at once (the bucket's size). Default 10.
    public var reporterBurst = 10
    /// One more report per reporter every this many milliseconds of event time (the refill).
    /// Default 6 minutes: 10 an hour, 240 a day — far above an honest user, far below a bot.
    public var reporterIntervalMilliseconds: Int64 = 360_000
    /// How far a report's `t` may be ahead of the intake's clock. Default 5 minutes.
    public var maximumFutureSkewMilliseconds: Int64 = 300_000
    /// How old a report may be: proof of contact is kept 7 days, so an older one cannot count.
    public var maximumAgeMilliseconds: Int64 = 7 * 86_400_000
    /// Reporters whose bucket state is kept; past it, rested buckets (full again) are dropped,
    /// which forgets nothing a limit needs. Default 100 000.
    public var trackedReporters = 100_000

    /// The defaults.
    public init() {}

    /// A problem with a configuration.
    public struct Invalid: Error, Sendable, Hashable, CustomStringConvertible {
        /// What is wrong.
        public let description: String
    }

    /// Checks that every value is usable.
    public func validate() throws(Invalid) {
        guard maximumBatchSize >= 1 else { throw Invalid(description: "the batch size must be at least 1, got \(maximumBatchSize)") }
        guard reporterBurst >= 1 else { throw Invalid(description: "the reporter burst must be at least 1, got \(reporterBurst)") }
        guard reporterIntervalMilliseconds >= 1 else {
            throw Invalid(description: "the reporter interval must be at least 1 ms, got \(reporterIntervalMilliseconds)")
        }
        guard maximumFutureSkewMilliseconds >= 0, maximumAgeMilliseconds >= 0 else {
            throw Invalid(description: "the time skew and the maximum age must not be negative")
        }
        guard trackedReporters >= 1 else { throw Invalid(description: "at least one reporter must be tracked, got \(trackedReporters)") }
    }
}
