extension CountMinSketch {
    /// Adds `other`'s cells and total weight to this sketch, so that it summarizes both streams.
    ///
    /// - Throws: ``CountMinError/shapeMismatch(numHashes:numBuckets:otherNumHashes:otherNumBuckets:)``
    ///   or ``CountMinError/seedMismatch(seed:otherSeed:)``: merging needs the same rows, buckets
    ///   and seed. The sketch is unchanged when it throws.
    public mutating func merge(_ other: CountMinSketch) throws(CountMinError) {
        guard numHashes == other.numHashes, numBuckets == other.numBuckets else {
            throw .shapeMismatch(
                numHashes: numHashes, numBuckets: numBuckets,
                otherNumHashes: other.numHashes, otherNumBuckets: other.numBuckets
            )
        }
        guard seed == other.seed else { throw .seedMismatch(seed: seed, otherSeed: other.seed) }
        if cells.isEmpty {
            cells = other.cells
        } else if !other.cells.isEmpty {
            for index in cells.indices {
                cells[index] += other.cells[index]
            }
        }
        totalWeight += other.totalWeight
    }
}
