/// A frequent-items ("heavy hitters") sketch over strings with `UInt64` weights, compatible with
/// Apache DataSketches 5.2.0 (`frequent_strings_sketch` in the Python package, family 10).
///
/// It keeps at most 0.75 · 2^``lgMaxMapSize`` items in a ``ReversePurgeHashMap``. When the map
/// is full it subtracts an approximate median weight from every item and drops those that reach
/// zero; the sum of those medians is ``maximumError``. For every item,
/// ``lowerBound(_:)`` ≤ true weight ≤ ``upperBound(_:)`` and the gap is at most
/// ``maximumError`` ≤ ``epsilon`` × ``totalWeight``.
///
/// Items are compared and hashed by their UTF-8 bytes (so "é" and "e\u{301}" are different
/// items, as in DataSketches); the empty string is an item like any other.
public struct FrequentItemsSketch: Sendable {
    /// The `lgMaxMapSize` values this implementation accepts (DataSketches' minimum is 3).
    public static let lgMapSizeRange = 3...26

    /// The map holding the tracked items and their (reduced) weights.
    var map: ReversePurgeHashMap
    /// The sum of all weights added, including merged sketches.
    public internal(set) var totalWeight: UInt64 = 0
    /// The sum of the purge medians: the largest amount by which any estimate can be off.
    public internal(set) var maximumError: UInt64 = 0

    /// Creates an empty sketch whose map may grow to `2^lgMaxMapSize` slots.
    ///
    /// - Parameter lgMaxMapSize: log2 of the largest map, in ``lgMapSizeRange``; the sketch
    ///   tracks up to 0.75 · 2^lgMaxMapSize items and its error is at most
    ///   3.5 / 2^lgMaxMapSize of the total weight.
    /// - Throws: ``FrequentItemsError/lgMaxMapSizeOutOfRange(_:allowed:)``.
    public init(lgMaxMapSize: Int) throws(FrequentItemsError) {
        guard Self.lgMapSizeRange.contains(lgMaxMapSize) else {
            throw .lgMaxMapSizeOutOfRange(lgMaxMapSize, allowed: Self.lgMapSizeRange)
        }
        map = ReversePurgeHashMap(lgCurSize: Self.lgMapSizeRange.lowerBound, lgMaxSize: lgMaxMapSize)
    }

    /// A sketch whose map starts at `2^lgCurMapSize` slots (for decoding); sizes already checked.
    init(lgMaxMapSize: Int, lgCurMapSize: Int) {
        map = ReversePurgeHashMap(lgCurSize: lgCurMapSize, lgMaxSize: lgMaxMapSize)
    }

    /// log2 of the largest map size.
    public var lgMaxMapSize: Int { map.lgMaxSize }

    /// log2 of the current map size.
    public var lgCurMapSize: Int { map.lgCurSize }

    /// The number of items currently tracked.
    public var numActiveItems: Int { map.numActive }

    /// Whether no item is tracked (DataSketches' definition: a sketch whose items were all purged
    /// away is empty too, and serializes as empty).
    public var isEmpty: Bool { map.numActive == 0 }

    /// The error bound as a fraction of ``totalWeight``: 3.5 / 2^``lgMaxMapSize``.
    public var epsilon: Double { Self.epsilon(lgMaxMapSize: lgMaxMapSize) }

    /// The error fraction a sketch with `lgMaxMapSize` guarantees: 3.5 / 2^lgMaxMapSize.
    public static func epsilon(lgMaxMapSize: Int) -> Double {
        3.5 / Double(sign: .plus, exponent: lgMaxMapSize, significand: 1)
    }

    /// The error a sketch with `lgMaxMapSize` is expected to have after `estimatedTotalWeight`.
    public static func aprioriError(lgMaxMapSize: Int, estimatedTotalWeight: UInt64) -> Double {
        epsilon(lgMaxMapSize: lgMaxMapSize) * Double(estimatedTotalWeight)
    }

    /// Adds `weight` occurrences of `item`. A zero weight does nothing; sums saturate at
    /// `UInt64.max`. Allocation-free except when the map grows.
    public mutating func update(_ item: String, weight: UInt64 = 1) {
        guard weight > 0 else { return }
        totalWeight = totalWeight.addingSaturating(weight)
        maximumError = maximumError.addingSaturating(map.adjustOrInsert(item, value: weight))
    }

    /// The estimated weight of `item`: its tracked weight plus ``maximumError``, or 0 when it is
    /// not tracked.
    public func estimate(_ item: String) -> UInt64 {
        let weight = map.weight(of: item)
        return weight > 0 ? weight.addingSaturating(maximumError) : 0
    }

    /// A guaranteed lower bound on `item`'s true weight: its tracked weight (0 if untracked).
    public func lowerBound(_ item: String) -> UInt64 {
        map.weight(of: item)
    }

    /// A guaranteed upper bound on `item`'s true weight: its tracked weight plus ``maximumError``.
    public func upperBound(_ item: String) -> UInt64 {
        map.weight(of: item).addingSaturating(maximumError)
    }
}

extension FrequentItemsSketch: Equatable {
    /// Two sketches are equal when they have the same sizes, weights, error and tracked items
    /// with the same weights, whatever the order of their slots.
    public static func == (lhs: FrequentItemsSketch, rhs: FrequentItemsSketch) -> Bool {
        guard lhs.lgMaxMapSize == rhs.lgMaxMapSize, lhs.lgCurMapSize == rhs.lgCurMapSize,
              lhs.totalWeight == rhs.totalWeight, lhs.maximumError == rhs.maximumError,
              lhs.numActiveItems == rhs.numActiveItems else { return false }
        var same = true
        lhs.map.forEachEntry { key, value in
            if same, rhs.map.weight(of: key) != value { same = false }
        }
        return same
    }
}
