extension FrequentItemsSketch {
    /// Folds `other` into this sketch: its tracked items are added as updates (in its
    /// iteration order, as DataSketches does), then its error and total weight are added.
    ///
    /// As in DataSketches, an empty `other` (no tracked items) changes nothing, even if its items
    /// were all purged away after carrying weight. Sketches of different sizes may be merged.
    public mutating func merge(_ other: FrequentItemsSketch) {
        guard !other.isEmpty else { return }
        let mergedTotal = totalWeight.addingSaturating(other.totalWeight)
        other.map.forEachEntry { item, weight in
            update(item, weight: weight)
        }
        maximumError = maximumError.addingSaturating(other.maximumError)
        totalWeight = mergedTotal
    }
}
