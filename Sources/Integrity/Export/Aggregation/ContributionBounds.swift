/// How much one user may move the platform statistics in one UTC day (the privacy unit is the
/// user-day; see docs/export.md).
///
/// - Across partitions: a user counts in at most ``partitionsPerDimension`` (L₀) cells of each
///   dimension per day — the first L₀ cells the user's events reach, in event order.
/// - Per partition: inside one cell a user adds at most ``perPartition`` (C) to each counter
///   (messages, delivered, read, blocks, reports — hence also ≤ C size and latency samples) and
///   at most C distinct businesses; further contributions are dropped.
///
/// Both choices depend only on the user's own events, so removing a user removes exactly that
/// user's bounded contributions — which is what the sensitivities below assume.
public struct ContributionBounds: Sendable, Hashable {
    /// C: the per-cell cap on each counter.
    public let perPartition: Int
    /// L₀: cells per dimension per user per day.
    public let partitionsPerDimension: Int

    /// The default caps: C = 5, L₀ = 2.
    public static let standard = ContributionBounds(uncheckedPerPartition: 5, partitionsPerDimension: 2)

    /// Caps; both must be in 1…1000.
    /// - Throws: ``ExportError/invalidParameter(_:)`` otherwise.
    public init(perPartition: Int, partitionsPerDimension: Int) throws(ExportError) {
        guard (1...1000).contains(perPartition) else { throw .invalidParameter("the per-partition cap must be in 1…1000, got \(perPartition)") }
        guard (1...1000).contains(partitionsPerDimension) else {
            throw .invalidParameter("the partitions-per-dimension cap must be in 1…1000, got \(partitionsPerDimension)")
        }
        self.init(uncheckedPerPartition: perPartition, partitionsPerDimension: partitionsPerDimension)
    }

    private init(uncheckedPerPartition: Int, partitionsPerDimension: Int) {
        perPartition = uncheckedPerPartition
        self.partitionsPerDimension = partitionsPerDimension
    }

    /// The most cells of `dimension` a user can count in per day.
    public func cells(in dimension: StatisticsDimension) -> Int {
        min(partitionsPerDimension, dimension.cellsPerUserLimit)
    }

    /// The most cells a user can count in per day over `dimensions`.
    public func cells(in dimensions: [StatisticsDimension]) -> Int {
        dimensions.reduce(0) { $0 + cells(in: $1) }
    }

    /// The most cells a user can count in per day over every dimension.
    public var cellsPerUser: Int { cells(in: StatisticsDimension.allCases) }
}
