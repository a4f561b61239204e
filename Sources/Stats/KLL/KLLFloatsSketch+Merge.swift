/// Merging, as DataSketches does it: the other sketch's level zero is fed through ordinary
/// insertion, its higher levels are merged level by level and the whole is recompressed.
extension KLLFloatsSketch {
    /// Adds everything `other` has summarized to this sketch.
    ///
    /// The sketches may have different `k`: this sketch keeps its own `k`, and ``minK`` (hence
    /// ``normalizedRankError(pmf:)``) drops to `other.minK` when `other` is estimating.
    ///
    /// - Precondition: `n + other.n` fits in `UInt64` (decoded sketches are limited to 2⁶³ − 1).
    public mutating func merge(_ other: KLLFloatsSketch) {
        guard !other.isEmpty else { return }
        let (mergedN, overflow) = n.addingReportingOverflow(other.n)
        precondition(!overflow, "merged KLL sketch would count more than UInt64.max items")

        if isEmpty {
            minimum = other.minimum
            maximum = other.maximum
        } else {
            if other.minimum < minimum { minimum = other.minimum }
            if maximum < other.maximum { maximum = other.maximum }
        }
        for index in other.range(ofLevel: 0) {
            insertIntoLevelZero(other.items[index])
        }
        if other.numLevels > 1 {
            mergeHigherLevels(of: other)
        }
        n = mergedN
        if other.isEstimationMode { minK = min(minK, other.minK) }
    }

    /// Combines every level of this sketch with levels 1… of `other` in a work buffer,
    /// compresses it and makes the result this sketch's buffer.
    private mutating func mergeHigherLevels(of other: KLLFloatsSketch) {
        let provisionalNumLevels = max(numLevels, other.numLevels)
        var work: [Float] = []
        work.reserveCapacity(numRetained + other.levels[other.numLevels] - other.levels[1])
        var workLevels = [0]
        workLevels.reserveCapacity(provisionalNumLevels + 2)

        // Level zero already holds the other sketch's level zero.
        work.append(contentsOf: items[range(ofLevel: 0)])
        workLevels.append(work.count)
        for level in 1..<provisionalNumLevels {
            KLLLevelOperations.merge(
                items, range(ofLevel: level), other.items, other.range(ofLevel: level), appendingTo: &work
            )
            workLevels.append(work.count)
        }

        let result = KLLGeneralCompression.compress(
            &work, levels: workLevels, k: k, isLevelZeroSorted: isLevelZeroSorted, randomBits: &randomBits
        )
        let freeSlots = result.capacity - result.itemCount
        var buffer = [Float](repeating: 0, count: freeSlots)
        buffer.reserveCapacity(result.capacity)
        buffer.append(contentsOf: work[0..<result.itemCount])
        items = buffer
        levels = result.levels.map { $0 + freeSlots }
    }
}
