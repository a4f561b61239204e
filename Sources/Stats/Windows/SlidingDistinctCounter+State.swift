extension SlidingDistinctCounter {
    /// One bucket of the ring that holds items: its absolute bucket number and its sketch.
    public struct Bucket: Sendable, Equatable {
        /// The absolute bucket number (time ÷ bucket width).
        public var id: Int64
        /// The bucket's HLL sketch (serialize it as a DataSketches image to persist it).
        public var sketch: HLLSketch

        /// Wraps a bucket.
        public init(id: Int64, sketch: HLLSketch) {
            self.id = id
            self.sketch = sketch
        }
    }

    /// The ring's used buckets, oldest slot first, including any older than the window that a
    /// slot still holds after a quiet spell — with ``newestBucketID`` and ``droppedLateItems``,
    /// everything needed to restore the counter exactly.
    public var buckets: [Bucket] {
        bucketIDs.indices.compactMap { slot in bucketIDs[slot].map { Bucket(id: $0, sketch: sketches[slot]) } }
    }

    /// The newest bucket number seen, nil before the first item.
    public var newestBucketID: Int64? { newestBucket }

    /// A counter with this configuration resuming from a saved state: `buckets` (at most one per
    /// ring slot, each with a sketch of `lgK`), the newest bucket number and the late-item count.
    /// - Throws: ``ConfigurationError`` for a bad configuration, two buckets in one ring slot, a
    ///   bucket newer than `newestBucketID`, or a sketch of another lgK.
    public init(
        bucketCount: Int, bucketMilliseconds: Int64, lgK: Int,
        buckets: [Bucket], newestBucketID: Int64?, droppedLateItems: Int
    ) throws(ConfigurationError) {
        try self.init(bucketCount: bucketCount, bucketMilliseconds: bucketMilliseconds, lgK: lgK)
        for bucket in buckets {
            // A bucket older than the window is legitimate: the ring resets a slot only when the
            // slot's next bucket arrives, so after a quiet spell it still holds an old one.
            guard let newest = newestBucketID, bucket.id <= newest else {
                throw ConfigurationError(description: "bucket \(bucket.id) is newer than the newest bucket \(newestBucketID.map(String.init) ?? "none")")
            }
            guard bucket.sketch.lgK == lgK else {
                throw ConfigurationError(description: "bucket \(bucket.id) has a sketch of lgK \(bucket.sketch.lgK), expected \(lgK)")
            }
            let slot = Int(Self.floorModulo(bucket.id, Int64(bucketCount)))
            guard bucketIDs[slot] == nil else {
                throw ConfigurationError(description: "buckets \(bucketIDs[slot] ?? 0) and \(bucket.id) share ring slot \(slot)")
            }
            bucketIDs[slot] = bucket.id
            sketches[slot] = bucket.sketch
        }
        newestBucket = newestBucketID
        self.droppedLateItems = max(0, droppedLateItems)
        noteNewest()
    }
}
