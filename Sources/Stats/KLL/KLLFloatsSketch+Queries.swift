import Foundation // pow

/// Quantiles, ranks, PMF and CDF, and the error bounds that come with them.
extension KLLFloatsSketch {
    /// The retained items sorted with their cumulative weights; build once for many queries.
    public func sortedView() -> KLLFloatsSortedView {
        KLLFloatsSortedView(of: self)
    }

    /// The approximate item at normalized rank `rank` (0 = smallest, 1 = largest).
    ///
    /// With `inclusive`, the smallest retained item whose inclusive rank is at least `rank`;
    /// otherwise the smallest whose inclusive rank exceeds it. Builds a sorted view; use
    /// ``quantiles(ranks:inclusive:)`` or ``sortedView()`` for several ranks.
    ///
    /// - Throws: ``KLLSketchError/emptySketch``, or ``KLLSketchError/rankOutOfRange(_:)``
    ///   unless `rank` is in `0...1`.
    public func quantile(rank: Double, inclusive: Bool = true) throws(KLLSketchError) -> Float {
        guard !isEmpty else { throw .emptySketch }
        guard rank >= 0, rank <= 1 else { throw .rankOutOfRange(rank) }
        return try sortedView().quantile(rank: rank, inclusive: inclusive)
    }

    /// The approximate items at each of `ranks`, from one sorted view.
    ///
    /// - Throws: As ``quantile(rank:inclusive:)``.
    public func quantiles(ranks: [Double], inclusive: Bool = true) throws(KLLSketchError) -> [Float] {
        guard !isEmpty else { throw .emptySketch }
        let view = sortedView()
        var result: [Float] = []
        result.reserveCapacity(ranks.count)
        for rank in ranks { result.append(try view.quantile(rank: rank, inclusive: inclusive)) }
        return result
    }

    /// The approximate normalized rank of `item`: the fraction of the stream less than it, plus
    /// with `inclusive` the fraction equal to it. NaN when the sketch is empty.
    ///
    /// Counts over the levels directly, without sorting or allocating; the result is the same
    /// as the sorted view's.
    public func rank(of item: Float, inclusive: Bool = true) -> Double {
        guard !isEmpty else { return .nan }
        var weight: UInt64 = 0
        for level in 0..<numLevels {
            var count = 0
            // `!(item < x)` rather than `x <= item` so a NaN item behaves as in DataSketches.
            for index in range(ofLevel: level) where inclusive ? !(item < items[index]) : items[index] < item {
                count += 1
            }
            weight += UInt64(count) << UInt64(level)
        }
        return Double(weight) / Double(n)
    }

    /// The approximate CDF at `splitPoints`: their ranks, followed by 1.
    ///
    /// - Throws: ``KLLSketchError/emptySketch``, ``KLLSketchError/splitPointIsNaN(index:)`` or
    ///   ``KLLSketchError/splitPointsNotIncreasing(index:)``.
    public func cdf(splitPoints: [Float], inclusive: Bool = true) throws(KLLSketchError) -> [Double] {
        guard !isEmpty else { throw .emptySketch }
        try KLLFloatsSortedView.validate(splitPoints: splitPoints)
        return try sortedView().cdf(splitPoints: splitPoints, inclusive: inclusive)
    }

    /// The approximate fraction of the stream in each of the `splitPoints.count + 1` intervals
    /// the split points cut the line into. With `inclusive`, an interval includes its right split
    /// point; otherwise its left one.
    ///
    /// - Throws: As ``cdf(splitPoints:inclusive:)``.
    public func pmf(splitPoints: [Float], inclusive: Bool = true) throws(KLLSketchError) -> [Double] {
        guard !isEmpty else { throw .emptySketch }
        try KLLFloatsSortedView.validate(splitPoints: splitPoints)
        return try sortedView().pmf(splitPoints: splitPoints, inclusive: inclusive)
    }

    /// The rank error bound of this sketch at 99 % confidence, from ``minK``.
    ///
    /// - Parameter pmf: `true` for the two-sided error of ``pmf(splitPoints:inclusive:)``,
    ///   `false` for single ranks, quantiles and CDF values.
    public func normalizedRankError(pmf: Bool) -> Double {
        Self.normalizedRankError(k: minK, pmf: pmf)
    }

    /// DataSketches' empirical fit of the 99th-percentile rank error for `k`:
    /// `2.446 / k^0.9433` for PMF, `2.296 / k^0.9723` otherwise.
    public static func normalizedRankError(k: UInt16, pmf: Bool) -> Double {
        pmf ? 2.446 / pow(Double(k), 0.9433) : 2.296 / pow(Double(k), 0.9723)
    }
}
