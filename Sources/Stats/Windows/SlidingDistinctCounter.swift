/// Distinct count over a sliding window: a ring of per-bucket HLL sketches (e.g. 24 × 1 h or
/// 7 × 1 day) merged on query. Time is always an argument, in milliseconds; the counter never
/// reads a clock.
///
/// An item counts in the bucket of its timestamp. A query at time `t` covers the buckets
/// `(bucket(t) − bucketCount, bucket(t)]`, so the window is between `bucketCount − 1` and
/// `bucketCount` bucket widths long. Items older than the window are dropped (counted in
/// ``droppedLateItems``); items from the future of the newest bucket advance the ring.
public struct SlidingDistinctCounter: Sendable, Equatable {
    /// Number of buckets in the ring.
    public let bucketCount: Int
    /// Width of one bucket in milliseconds.
    public let bucketMilliseconds: Int64
    /// lgK of each bucket's sketch.
    public let lgK: Int
    var sketches: [HLLSketch]
    private let emptySketch: HLLSketch
    private let emptyUnion: HLLUnion
    /// The absolute bucket number each ring slot currently holds (nil: never used).
    var bucketIDs: [Int64?]
    /// The newest bucket number seen.
    var newestBucket: Int64?
    /// Items that arrived after their bucket had left the window.
    public internal(set) var droppedLateItems: Int = 0
    /// The newest bucket's milliseconds `[newestStart, newestEnd)` and its ring slot, once that
    /// slot holds it: nearly every update falls there and then needs no division (three 64-bit
    /// divisions were most of an update's cost). Empty (`.max ..< .min`) until then; derived
    /// state, left out of `==`.
    private var newestStart: Int64 = .max
    private var newestEnd: Int64 = .min
    private var newestSlot = 0

    /// A configuration error.
    public struct ConfigurationError: Error, Equatable, CustomStringConvertible {
        /// What is wrong.
        public let description: String
    }

    /// Creates a window of `bucketCount` buckets of `bucketMilliseconds` each.
    public init(bucketCount: Int, bucketMilliseconds: Int64, lgK: Int = 12) throws(ConfigurationError) {
        guard (1...10_000).contains(bucketCount) else {
            throw ConfigurationError(description: "bucket count must be in 1…10000, got \(bucketCount)")
        }
        guard bucketMilliseconds > 0 else {
            throw ConfigurationError(description: "bucket width must be positive, got \(bucketMilliseconds) ms")
        }
        guard let empty = try? HLLSketch(lgK: lgK), let union = try? HLLUnion(lgMaxK: lgK) else {
            throw ConfigurationError(description: "HLL lgK must be in 4…21, got \(lgK)")
        }
        emptySketch = empty
        emptyUnion = union
        self.bucketCount = bucketCount
        self.bucketMilliseconds = bucketMilliseconds
        self.lgK = lgK
        sketches = Array(repeating: empty, count: bucketCount)
        bucketIDs = Array(repeating: nil, count: bucketCount)
    }

    /// Counts `item` at `time` (milliseconds since the epoch).
    public mutating func update(_ item: some SketchHashable, at time: Int64) {
        guard let hash = item.sketchHash(seed: MurmurHash3.defaultSeed) else { return }
        update(hash: hash, at: time)
    }

    /// Counts an item given by its hash at `time`.
    public mutating func update(hash: MurmurHash3.Hash128, at time: Int64) {
        if time >= newestStart && time < newestEnd {
            sketches[newestSlot].update(hash: hash)
            return
        }
        let bucket = Self.floorDivide(time, bucketMilliseconds)
        if let newest = newestBucket, bucket <= newest - Int64(bucketCount) {
            droppedLateItems += 1
            return
        }
        if newestBucket.map({ bucket > $0 }) ?? true { newestBucket = bucket }
        let slot = Int(Self.floorModulo(bucket, Int64(bucketCount)))
        if bucketIDs[slot] != bucket {
            // The slot held a bucket that has left the window: start it afresh.
            sketches[slot] = emptySketch
            bucketIDs[slot] = bucket
        }
        sketches[slot].update(hash: hash)
        if bucket == newestBucket { noteNewest() }
    }

    /// Points the fast path at the newest bucket if its ring slot holds it (derived from
    /// ``newestBucket`` and ``bucketIDs`` alone; the slow path's updates and the restore call it).
    mutating func noteNewest() {
        guard let newest = newestBucket else { return }
        let slot = Int(Self.floorModulo(newest, Int64(bucketCount)))
        guard bucketIDs[slot] == newest else { return }
        let (start, overflow) = newest.multipliedReportingOverflow(by: bucketMilliseconds)
        guard !overflow else { return }
        let (end, endOverflow) = start.addingReportingOverflow(bucketMilliseconds)
        newestStart = start
        newestEnd = endOverflow ? .max : end
        newestSlot = slot
    }

    /// Equal configuration, buckets, newest bucket and late-item count (the fast path's copy of
    /// the newest bucket is derived from them).
    public static func == (a: SlidingDistinctCounter, b: SlidingDistinctCounter) -> Bool {
        a.bucketCount == b.bucketCount && a.bucketMilliseconds == b.bucketMilliseconds && a.lgK == b.lgK
            && a.newestBucket == b.newestBucket && a.droppedLateItems == b.droppedLateItems
            && a.bucketIDs == b.bucketIDs && a.sketches == b.sketches
    }

    /// The distinct count of items in the window ending at `time`.
    public func estimate(at time: Int64) -> Double {
        merged(at: time).estimate
    }

    /// The window ending at `time` as one sketch (an HLL union of its buckets).
    public func merged(at time: Int64) -> HLLUnion {
        let current = Self.floorDivide(time, bucketMilliseconds)
        var union = emptyUnion
        for (slot, id) in bucketIDs.enumerated() {
            guard let id, id <= current, id > current - Int64(bucketCount) else { continue }
            union.update(sketches[slot])
        }
        return union
    }

    static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        let quotient = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? quotient - 1 : quotient
    }

    static func floorModulo(_ a: Int64, _ b: Int64) -> Int64 {
        let remainder = a % b
        return remainder < 0 ? remainder + b : remainder
    }
}
