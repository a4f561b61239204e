/// A KLL quantiles sketch of `Float` values, compatible with Apache DataSketches 5.2.0
/// `kll_sketch<float>` (family 15; `kll_floats_sketch` in the Python package).
///
/// The sketch answers rank and quantile queries over a stream of any length in space that grows
/// only with the logarithm of the stream: with the default `k = 200` a rank is within about
/// 1.33 % of the truth at 99 % confidence (see ``normalizedRankError(pmf:)``). Sketches of
/// different streams merge (``merge(_:)``), and their binary images (``serialized()``,
/// ``init(serialized:randomSeed:)``) are the ones DataSketches writes and reads, so shards can be
/// combined by any engine that speaks that format.
///
/// `Stats` has no randomness of its own: the coin that compactions flip comes from a small
/// generator seeded by `randomSeed`, so the same seed and input produce the same sketch.
///
/// The state mirrors DataSketches' layout: one items buffer whose size is the sum of the level
/// capacities, filled from the top, with level `h` at `levels[h] ..< levels[h + 1]` and each of
/// its items standing for `2^h` stream items. Level zero grows downward as items arrive; when it
/// reaches the bottom of the buffer, the lowest full level is compacted into the one above.
public struct KLLFloatsSketch: Sendable {
    /// The values `k` may take.
    public static let allowedK: ClosedRange<UInt16> = UInt16(KLLCapacity.minimumWidth)...UInt16.max

    /// The default `k`, DataSketches' default: about 1.33 % single-rank error.
    public static let defaultK: UInt16 = 200

    /// The default seed of the compaction coin.
    public static let defaultRandomSeed: UInt64 = 0x5eed

    /// The accuracy parameter: larger `k`, smaller error, more retained items.
    public let k: UInt16

    /// The smallest `k` of any estimating sketch merged into this one; it sets the error bound.
    public internal(set) var minK: UInt16

    /// The number of stream items seen (NaN excluded), including those of merged sketches.
    public internal(set) var n: UInt64

    /// Level boundaries in ``items``: `numLevels + 1` offsets, the last equal to `items.count`.
    var levels: [Int]

    /// The items buffer; slots below `levels[0]` are free.
    var items: [Float]

    /// Whether level zero is known to be sorted (DataSketches' flag bit 1, kept for the image).
    var isLevelZeroSorted: Bool

    /// The smallest and largest item seen; meaningful only when `n > 0`.
    var minimum: Float
    var maximum: Float

    /// The compaction coin.
    var randomBits: KLLRandomBits

    /// Creates an empty sketch.
    ///
    /// - Parameters:
    ///   - k: The accuracy parameter, in ``allowedK`` (8…65535).
    ///   - randomSeed: Seeds the coin flipped by compactions.
    /// - Throws: ``KLLSketchError/kOutOfRange(k:allowed:)`` when `k` is below 8.
    public init(k: UInt16 = KLLFloatsSketch.defaultK, randomSeed: UInt64 = KLLFloatsSketch.defaultRandomSeed)
        throws(KLLSketchError)
    {
        guard Self.allowedK.contains(k) else { throw .kOutOfRange(k: k, allowed: Self.allowedK) }
        self.init(validatedK: k, randomSeed: randomSeed)
    }

    /// An empty sketch with a `k` already known to be valid.
    init(validatedK k: UInt16, randomSeed: UInt64) {
        let capacity = KLLCapacity.totalCapacity(k: k, numLevels: 1)
        self.init(
            k: k, minK: k, n: 0, levels: [capacity, capacity],
            items: [Float](repeating: 0, count: capacity), isLevelZeroSorted: false,
            minimum: 0, maximum: 0, randomSeed: randomSeed
        )
    }

    /// A sketch from consistent parts (the decoder's and the constructors' common path).
    init(
        k: UInt16, minK: UInt16, n: UInt64, levels: [Int], items: [Float], isLevelZeroSorted: Bool,
        minimum: Float, maximum: Float, randomSeed: UInt64
    ) {
        self.k = k
        self.minK = minK
        self.n = n
        self.levels = levels
        self.items = items
        self.isLevelZeroSorted = isLevelZeroSorted
        self.minimum = minimum
        self.maximum = maximum
        self.randomBits = KLLRandomBits(seed: randomSeed)
    }

    /// Whether the sketch has seen no items.
    public var isEmpty: Bool { n == 0 }

    /// Whether the sketch has compacted, so that its answers are estimates rather than exact.
    public var isEstimationMode: Bool { numLevels > 1 }

    /// The number of items the sketch keeps.
    public var numRetained: Int { levels[numLevels] - levels[0] }

    /// The smallest item seen, or `nil` when the sketch is empty.
    public var minItem: Float? { isEmpty ? nil : minimum }

    /// The largest item seen, or `nil` when the sketch is empty.
    public var maxItem: Float? { isEmpty ? nil : maximum }

    /// The number of levels, at least 1.
    var numLevels: Int { levels.count - 1 }

    /// The slots of `level` in ``items``; empty for levels the sketch does not have.
    func range(ofLevel level: Int) -> Range<Int> {
        level < numLevels ? levels[level]..<levels[level + 1] : 0..<0
    }

    /// Adds one item. NaN is ignored, as DataSketches does.
    ///
    /// Allocation-free except when a compaction must grow the sketch by a level, which happens
    /// about `log₂(n / k)` times over the life of a sketch.
    public mutating func update(_ value: Float) {
        guard !value.isNaN else { return }
        if isEmpty {
            minimum = value
            maximum = value
        } else {
            if value < minimum { minimum = value }
            if maximum < value { maximum = value }
        }
        insertIntoLevelZero(value)
        n += 1
    }

    /// Places `value` at the bottom of level zero, compacting first if the buffer is full.
    /// Does not touch `n`, `minimum` or `maximum`.
    mutating func insertIntoLevelZero(_ value: Float) {
        if levels[0] == 0 { compactForInsertion() }
        levels[0] -= 1
        items[levels[0]] = value
        isLevelZeroSorted = false
    }
}
