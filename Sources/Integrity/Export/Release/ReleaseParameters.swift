/// The privacy parameters of one platform release.
public struct ReleaseParameters: Sendable, Hashable {
    /// Total ε of the release (per user-day).
    public var epsilon: Epsilon
    /// Total δ of the release.
    public var delta: Delta
    /// No cell with fewer distinct users is ever released.
    public var k: Int
    /// Per-user caps.
    public var bounds: ContributionBounds
    /// The noise on the metrics (selection always uses discrete Laplace).
    public var noise: NoiseKind

    /// The default k.
    public static let defaultK = 50

    /// Parameters; ε > 0, 0 < δ < 1, k ≥ 1.
    /// - Throws: ``ExportError/invalidParameter(_:)`` otherwise.
    public init(epsilon: Epsilon, delta: Delta, k: Int = ReleaseParameters.defaultK, bounds: ContributionBounds = .standard, noise: NoiseKind = .laplace) throws(ExportError) {
        guard epsilon.units > 0 else { throw .invalidParameter("ε must be positive, got \(epsilon)") }
        guard delta.units > 0, delta.units < Delta.unitDenominator else { throw .invalidParameter("δ must be in (0, 1), got \(delta)") }
        guard k >= 1 else { throw .invalidParameter("k must be at least 1, got \(k)") }
        self.epsilon = epsilon
        self.delta = delta
        self.k = k
        self.bounds = bounds
        self.noise = noise
    }
}

/// The queries of a release and how ε and δ are split among them (sequential composition: the
/// shares add up to at most the release's ε and δ). Each query's sensitivity is per user-day.
public struct BudgetPlan: Sendable, Hashable {
    /// One query of the plan.
    public struct Query: Sendable, Hashable {
        /// Its name in the metadata and the ledger.
        public let name: String
        /// ℓ₁ sensitivity.
        public let l1: Int
        /// ℓ₂ sensitivity.
        public let l2: Double
        /// Its share of ε.
        public let epsilon: Epsilon
        /// Its share of δ.
        public let delta: Delta
    }

    /// Partition selection (its noisy count is released as `users`).
    public let selection: Query
    /// The metric queries, in release order.
    public let metrics: [Query]

    /// The metric queries' names.
    public static let metricNames = ["businesses", "sent", "delivered", "read", "blocks", "reports", "size_histogram", "latency_histogram"]

    /// Splits `parameters` evenly over selection and the eight metric queries; with the Gaussian,
    /// half of δ goes to selection and half is split over the metrics.
    public init(_ parameters: ReleaseParameters) throws(ExportError) {
        let shares = Int64(Self.metricNames.count + 1)
        let epsilonShare = Epsilon(units: parameters.epsilon.units / shares)
        guard epsilonShare.units > 0 else { throw .invalidParameter("ε \(parameters.epsilon) is too small to split over \(shares) queries") }
        let gaussian = parameters.noise == .gaussian
        let selectionDelta = gaussian ? Delta(units: parameters.delta.units / 2) : parameters.delta
        let metricDelta = gaussian ? Delta(units: parameters.delta.units / 2 / (shares - 1)) : Delta(units: 0)
        let bounds = parameters.bounds
        let everyCell = bounds.cellsPerUser
        let blockCells = bounds.cells(in: [.all, .country])
        let c = bounds.perPartition
        selection = Query(name: "selection_users", l1: everyCell, l2: Double(everyCell).squareRoot(), epsilon: epsilonShare, delta: selectionDelta)
        metrics = Self.metricNames.map { name in
            let cells = name == "blocks" || name == "reports" ? blockCells : everyCell
            return Query(name: name, l1: cells * c, l2: Double(cells).squareRoot() * Double(c), epsilon: epsilonShare, delta: metricDelta)
        }
    }

    /// What the plan spends: the sum of its shares.
    public var spent: (epsilon: Epsilon, delta: Delta) {
        let all = [selection] + metrics
        return (all.reduce(Epsilon(units: 0)) { $0 + $1.epsilon }, all.reduce(Delta(units: 0)) { $0 + $1.delta })
    }
}
