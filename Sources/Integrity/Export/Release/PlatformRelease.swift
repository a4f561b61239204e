public import Storage

/// The non-identifying statistics that leave for the platform: cells that passed partition
/// selection, with noisy integer figures, and the metadata that says how they were made.
/// No phone number, pseudonym or business id is in it.
public struct PlatformRelease: Sendable, Hashable {
    /// One released cell.
    public struct Cell: Sendable, Hashable {
        /// The cell.
        public var cell: StatisticsCell
        /// Noisy distinct users (the selection count).
        public var users: Int64
        /// Noisy distinct businesses.
        public var businesses: Int64
        /// Noisy messages.
        public var sent: Int64
        /// Noisy delivered receipts.
        public var delivered: Int64
        /// Noisy read receipts.
        public var read: Int64
        /// Noisy blocks by ``BlockReason`` (in `allCases` order).
        public var blocks: [Int64]
        /// Noisy reports by ``ReportReason`` (in `allCases` order).
        public var reports: [Int64]
        /// Message size p50 / p90 / p99 bucket bounds in bytes (nil when the noisy histogram is empty).
        public var sizeQuantiles: [Int64?]
        /// Delivery latency p50 / p90 / p99 bucket bounds in ms.
        public var latencyQuantiles: [Int64?]
    }

    /// How the release was made.
    public struct Metadata: Sendable, Hashable {
        /// The first and last UTC day covered.
        public var days: ClosedRange<UTCDay>
        /// The parameters.
        public var parameters: ReleaseParameters
        /// The budget split and sensitivities.
        public var plan: BudgetPlan
        /// Selection's threshold.
        public var threshold: PartitionThreshold
        /// Each metric's noise, by query name.
        public var mechanisms: [String: NoiseMechanism]
        /// Cells of the public domain (days × dimension values) not released.
        public var suppressedCells: Int
        /// Cells released.
        public var releasedCells: Int
        /// The dataset and budget after this release, filled by the ledger's caller.
        public var budget: BudgetStatus?
    }

    /// The released cells, ordered by day, dimension, value.
    public var cells: [Cell]
    /// The metadata.
    public var metadata: Metadata

    /// The quantiles reported for sizes and latencies.
    public static let quantiles = [0.5, 0.9, 0.99]

    /// Draws a release from `table` for `days` — every cell of the public domain is considered in
    /// a fixed order, so a seeded source reproduces it exactly.
    /// - Throws: ``ExportError`` for parameters that cannot be calibrated or a failing source.
    public static func make<Source: NoiseSource>(from table: BoundedTable, days: ClosedRange<UTCDay>, parameters: ReleaseParameters,
                                                 using source: inout Source) throws(ExportError) -> PlatformRelease {
        guard table.bounds == parameters.bounds else {
            throw .invalidParameter("the table was bounded with other caps than the release's")
        }
        let plan = try BudgetPlan(parameters)
        let threshold = try PartitionThreshold(epsilon: plan.selection.epsilon, delta: plan.selection.delta,
                                               maxPartitions: plan.selection.l1, k: parameters.k)
        var mechanisms: [String: NoiseMechanism] = [:]
        for query in plan.metrics {
            mechanisms[query.name] = try NoiseMechanism.make(parameters.noise, l1: query.l1, l2: query.l2, epsilon: query.epsilon, delta: query.delta)
        }
        var released: [Cell] = []
        var domain = 0
        do throws(NoiseSourceError) {
            var day = days.lowerBound
            while day <= days.upperBound {
                for dimension in StatisticsDimension.allCases {
                    for value in dimension.valueCodes {
                        domain += 1
                        let cell = StatisticsCell(day: day, dimension: dimension, value: value)
                        guard let totals = table.cells[cell],
                              let users = try threshold.select(users: totals.users, using: &source) else { continue }
                        released.append(try noised(cell, totals, users: users, mechanisms, using: &source))
                    }
                }
                day = day.advanced(by: 1)
            }
        } catch {
            throw .noise(error)
        }
        let metadata = Metadata(days: days, parameters: parameters, plan: plan, threshold: threshold, mechanisms: mechanisms,
                                suppressedCells: domain - released.count, releasedCells: released.count, budget: nil)
        return PlatformRelease(cells: released, metadata: metadata)
    }

    private static func noised<Source: NoiseSource>(_ cell: StatisticsCell, _ totals: BoundedCell, users: Int64, _ mechanisms: [String: NoiseMechanism],
                                                    using source: inout Source) throws(NoiseSourceError) -> Cell {
        func noisy(_ name: String, _ value: Int) throws(NoiseSourceError) -> Int64 {
            guard let mechanism = mechanisms[name] else { preconditionFailure("the plan names \(name)") }
            return max(0, Int64(value) + (try mechanism.sample(using: &source)))
        }
        func histogram(_ name: String, _ values: [Int], _ edges: BucketEdges) throws(NoiseSourceError) -> NoisyHistogram {
            guard let mechanism = mechanisms[name] else { preconditionFailure("the plan names \(name)") }
            return try NoisyHistogram(exact: values, edges: edges, mechanism: mechanism, using: &source)
        }
        let businesses = try noisy("businesses", totals.businesses.count)
        let sent = try noisy("sent", totals.sent)
        let delivered = try noisy("delivered", totals.delivered)
        let read = try noisy("read", totals.read)
        var blocks: [Int64] = []
        for value in totals.blocks { blocks.append(try noisy("blocks", value)) }
        var reports: [Int64] = []
        for value in totals.reports { reports.append(try noisy("reports", value)) }
        let sizes = try histogram("size_histogram", totals.sizes, .messageBytes)
        let latencies = try histogram("latency_histogram", totals.latencies, .latencyMilliseconds)
        return Cell(cell: cell, users: users, businesses: businesses, sent: sent, delivered: delivered, read: read,
                    blocks: blocks, reports: reports,
                    sizeQuantiles: quantiles.map { sizes.quantile($0) }, latencyQuantiles: quantiles.map { latencies.quantile($0) })
    }
}

/// Where the ledger stands for a dataset after a release.
public struct BudgetStatus: Sendable, Hashable {
    /// The dataset's name.
    public var dataset: String
    /// The configured budget per UTC day.
    public var budget: PrivacyBudget
    /// The least ε left on any day of the release.
    public var remainingEpsilon: Epsilon
    /// The least δ left on any day of the release.
    public var remainingDelta: Delta
}

/// A privacy budget: the most ε and δ all releases touching one UTC day may spend together.
public struct PrivacyBudget: Sendable, Hashable {
    /// ε per day.
    public var epsilon: Epsilon
    /// δ per day.
    public var delta: Delta

    /// A budget.
    public init(epsilon: Epsilon, delta: Delta) {
        self.epsilon = epsilon
        self.delta = delta
    }
}
