/// A Count-Min sketch (Cormode & Muthukrishnan) with `Double` weights, binary-compatible with
/// Apache DataSketches 5.2.0 (`count_min_sketch` in the Python package, family 18).
///
/// The sketch is a `numHashes × numBuckets` table. Updating an item adds its weight to one cell
/// per row — row `i` hashes the item with its own seed and takes `h1 mod numBuckets` — and the
/// estimate is the smallest of those cells. With only non-negative weights the estimate never
/// falls below the true weight and exceeds it by at most ``relativeError`` × ``totalWeight``
/// with probability governed by the number of rows.
///
/// Items are hashed with DataSketches' canonicalization (see ``SketchHashable``), so the same
/// strings and integers land in the same cells as in DataSketches and serialized images are
/// byte-identical.
public struct CountMinSketch: Sendable, Equatable {
    /// DataSketches' default seed.
    public static let defaultSeed: UInt64 = MurmurHash3.defaultSeed

    /// Euler's number as glibc's `exp(1.0)` returns it (the double nearest e).
    static let euler = Double(bitPattern: 0x4005_BF0A_8B14_5769)

    /// The number of rows, each with its own hash function.
    public let numHashes: Int
    /// The number of cells in each row.
    public let numBuckets: Int
    /// The base hash seed; row seeds derive from it.
    public let seed: UInt64
    /// The sum of the magnitudes of all weights added (including merged sketches).
    public internal(set) var totalWeight: Double

    /// The hash seed of each row (see ``CountMinRowSeeds``).
    let rowSeeds: [UInt64]
    /// Row-major cells: row `i`, bucket `b` is at `i * numBuckets + b`. Empty (not allocated)
    /// exactly while the sketch is empty, so an empty sketch or image of any shape costs nothing.
    var cells: [Double]

    /// Creates an empty sketch.
    ///
    /// - Parameters:
    ///   - numHashes: rows, `1...255`; more rows raise the confidence of the error bound.
    ///   - numBuckets: cells per row, at least 3; more buckets lower the relative error `e/numBuckets`.
    ///   - seed: the hash seed; sketches merge and decode only with the same seed.
    /// - Throws: ``CountMinError`` when the shape is outside what DataSketches accepts.
    public init(numHashes: Int, numBuckets: Int, seed: UInt64 = CountMinSketch.defaultSeed) throws(CountMinError) {
        try Self.validate(numHashes: numHashes, numBuckets: numBuckets)
        self.numHashes = numHashes
        self.numBuckets = numBuckets
        self.seed = seed
        self.totalWeight = 0
        self.rowSeeds = CountMinRowSeeds.make(count: numHashes, seed: seed)
        self.cells = []
    }

    /// Checks a shape against DataSketches' limits.
    static func validate(numHashes: Int, numBuckets: Int) throws(CountMinError) {
        guard (1...Int(UInt8.max)).contains(numHashes) else { throw .numHashesOutOfRange(numHashes) }
        guard numBuckets >= 3 else { throw .numBucketsOutOfRange(numBuckets) }
        // Checked before multiplying so that huge bucket counts cannot overflow.
        guard numBuckets < (1 << 30), numHashes * numBuckets < (1 << 30) else {
            throw .tooManyCells(numHashes: numHashes, numBuckets: numBuckets)
        }
    }

    /// The relative error ε = e / ``numBuckets``: estimates exceed true weights by at most
    /// ε × ``totalWeight`` (with the sketch's confidence).
    public var relativeError: Double { Self.euler / Double(numBuckets) }

    /// Whether nothing of non-zero weight has been added (DataSketches: total weight is 0).
    public var isEmpty: Bool { totalWeight == 0 }

    /// Adds `weight` to `item`'s cell in every row.
    ///
    /// Negative weights are allowed (they count towards ``totalWeight`` by magnitude). Items
    /// that DataSketches ignores (an empty string, empty bytes) and weights that are zero, NaN
    /// or infinite leave the sketch unchanged. Allocation-free once the table exists (the first
    /// update allocates it).
    public mutating func update(_ item: some SketchHashable, weight: Double = 1) {
        guard weight.isFinite, weight != 0, let first = item.sketchHash(seed: rowSeeds[0]) else { return }
        if cells.isEmpty { cells = Array(repeating: 0, count: numHashes * numBuckets) }
        totalWeight += weight.magnitude
        let buckets = UInt64(numBuckets)
        cells[Int(first.h1 % buckets)] += weight
        var base = numBuckets
        for row in 1..<numHashes {
            guard let hash = item.sketchHash(seed: rowSeeds[row]) else { return }
            cells[base + Int(hash.h1 % buckets)] += weight
            base += numBuckets
        }
    }

    /// The estimated weight of `item`: the smallest of its cells. With non-negative weights it is
    /// never below the true weight. Ignored items (see ``update(_:weight:)``) estimate 0.
    public func estimate(_ item: some SketchHashable) -> Double {
        guard !cells.isEmpty else { return 0 }
        let buckets = UInt64(numBuckets)
        var smallest = Double.infinity
        var base = 0
        for row in 0..<numHashes {
            guard let hash = item.sketchHash(seed: rowSeeds[row]) else { return 0 }
            smallest = min(smallest, cells[base + Int(hash.h1 % buckets)])
            base += numBuckets
        }
        return smallest
    }

    /// An upper bound on `item`'s true weight: ``estimate(_:)`` + ``relativeError`` ×
    /// ``totalWeight`` (0 for ignored items, as in DataSketches).
    public func upperBound(_ item: some SketchHashable) -> Double {
        if item.sketchHash(seed: rowSeeds[0]) == nil { return 0 }
        return estimate(item) + relativeError * totalWeight
    }

    /// A lower bound on `item`'s true weight as DataSketches reports it: the estimate itself.
    public func lowerBound(_ item: some SketchHashable) -> Double {
        estimate(item)
    }
}
