/// The retained items of a ``KLLFloatsSketch`` in ascending order with their cumulative
/// weights: the structure every quantile, rank, PMF and CDF answer is read from.
///
/// Building the view sorts the sketch's items, so when asking many questions of an unchanging
/// sketch, build it once with ``KLLFloatsSketch/sortedView()`` and query the view.
public struct KLLFloatsSortedView: Sendable {
    /// The retained items, ascending.
    public let items: [Float]

    /// `cumulativeWeights[i]` is the number of stream items the first `i + 1` entries stand for.
    public let cumulativeWeights: [UInt64]

    /// The number of stream items the view stands for (the sketch's `n`).
    public var totalWeight: UInt64 { cumulativeWeights.last ?? 0 }

    /// Whether the view has no items.
    public var isEmpty: Bool { items.isEmpty }

    /// Sorts the levels of a sketch into one run. On ties, lower levels come first (DataSketches
    /// merges level by level from the bottom), which only shows in the sign of a returned zero.
    init(of sketch: KLLFloatsSketch) {
        var sortedItems = Array(sketch.items[sketch.range(ofLevel: 0)])
        sortedItems.sort()
        var weights = [UInt64](repeating: 1, count: sortedItems.count)
        for level in 1..<sketch.numLevels {
            let run = sketch.range(ofLevel: level)
            guard !run.isEmpty else { continue }
            let runWeight = UInt64(1) << UInt64(level)
            var mergedItems: [Float] = []
            var mergedWeights: [UInt64] = []
            mergedItems.reserveCapacity(sortedItems.count + run.count)
            mergedWeights.reserveCapacity(sortedItems.count + run.count)
            var index = 0
            for runIndex in run {
                let item = sketch.items[runIndex]
                while index < sortedItems.count, !(item < sortedItems[index]) {
                    mergedItems.append(sortedItems[index])
                    mergedWeights.append(weights[index])
                    index += 1
                }
                mergedItems.append(item)
                mergedWeights.append(runWeight)
            }
            mergedItems.append(contentsOf: sortedItems[index...])
            mergedWeights.append(contentsOf: weights[index...])
            sortedItems = mergedItems
            weights = mergedWeights
        }
        var total: UInt64 = 0
        for index in weights.indices {
            total += weights[index]
            weights[index] = total
        }
        items = sortedItems
        cumulativeWeights = weights
    }

    /// The item whose normalized rank is `rank`: with `inclusive`, the smallest item whose
    /// inclusive rank is at least `rank`; otherwise the smallest whose inclusive rank exceeds it.
    ///
    /// - Throws: ``KLLSketchError/emptySketch`` or ``KLLSketchError/rankOutOfRange(_:)``.
    public func quantile(rank: Double, inclusive: Bool = true) throws(KLLSketchError) -> Float {
        guard let last = items.last else { throw .emptySketch }
        guard rank >= 0, rank <= 1 else { throw .rankOutOfRange(rank) }
        let scaled = rank * Double(totalWeight)
        let weight = Self.clampedWeight(inclusive ? scaled.rounded(.up) : scaled)
        let index = inclusive
            ? Self.partitionPoint(cumulativeWeights.count) { cumulativeWeights[$0] >= weight }
            : Self.partitionPoint(cumulativeWeights.count) { cumulativeWeights[$0] > weight }
        return index < items.count ? items[index] : last
    }

    /// The normalized rank of `item`: the fraction of the stream below it, and with `inclusive`
    /// also equal to it. NaN when the view is empty.
    public func rank(of item: Float, inclusive: Bool = true) -> Double {
        guard !isEmpty else { return .nan }
        // First entry past `item`: greater than it (inclusive), or not less than it (exclusive).
        // NaN compares false, so a NaN item ranks 1 inclusive and 0 exclusive, like DataSketches.
        let index = inclusive
            ? Self.partitionPoint(items.count) { item < items[$0] }
            : Self.partitionPoint(items.count) { !(items[$0] < item) }
        guard index > 0 else { return 0 }
        return Double(cumulativeWeights[index - 1]) / Double(totalWeight)
    }

    /// The ranks of `splitPoints` followed by 1: an approximation of the CDF at those points.
    ///
    /// - Throws: ``KLLSketchError/emptySketch``, or a split-point error unless the points are
    ///   free of NaN and strictly increasing.
    public func cdf(splitPoints: [Float], inclusive: Bool = true) throws(KLLSketchError) -> [Double] {
        guard !isEmpty else { throw .emptySketch }
        try Self.validate(splitPoints: splitPoints)
        var ranks: [Double] = []
        ranks.reserveCapacity(splitPoints.count + 1)
        for point in splitPoints { ranks.append(rank(of: point, inclusive: inclusive)) }
        ranks.append(1)
        return ranks
    }

    /// The fraction of the stream in each of the `splitPoints.count + 1` intervals the split
    /// points cut the line into. With `inclusive`, an interval includes its right split point;
    /// otherwise its left one.
    ///
    /// - Throws: As ``cdf(splitPoints:inclusive:)``.
    public func pmf(splitPoints: [Float], inclusive: Bool = true) throws(KLLSketchError) -> [Double] {
        var masses = try cdf(splitPoints: splitPoints, inclusive: inclusive)
        for index in stride(from: masses.count - 1, to: 0, by: -1) {
            masses[index] -= masses[index - 1]
        }
        return masses
    }

    /// Throws unless the split points are free of NaN and strictly increasing.
    static func validate(splitPoints: [Float]) throws(KLLSketchError) {
        for index in splitPoints.indices {
            if splitPoints[index].isNaN { throw .splitPointIsNaN(index: index) }
            if index > 0, !(splitPoints[index - 1] < splitPoints[index]) {
                throw .splitPointsNotIncreasing(index: index)
            }
        }
    }

    /// The first index in `0..<count` where the monotone `predicate` holds, or `count`.
    private static func partitionPoint(_ count: Int, where predicate: (Int) -> Bool) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = low + (high - low) / 2
            if predicate(middle) { high = middle } else { low = middle + 1 }
        }
        return low
    }

    /// A non-negative weight as `UInt64`, saturating instead of trapping at 2⁶⁴.
    private static func clampedWeight(_ weight: Double) -> UInt64 {
        weight < 0x1p64 ? UInt64(weight) : .max
    }
}
