/// The hash map behind ``FrequentItemsSketch``: open addressing with linear probing, string keys
/// and `UInt64` weights, which grows by doubling up to `2^lgMaxSize` slots and then, instead of
/// growing, purges — subtracts an approximate median weight from every entry and drops those
/// that reach zero (the "reverse purge" of DataSketches' Misra–Gries variant).
///
/// Each occupied slot records its probe distance plus one (its "drift"); deletion shifts later
/// entries of the cluster back, so lookups never need tombstones. Slot arrays are materialized
/// on the first insertion, so an empty map of any size costs nothing. The stored properties are
/// mutated only by the map's own methods (here and in `ReversePurgeHashMap+Purge.swift`).
struct ReversePurgeHashMap: Sendable {
    /// Largest fraction of slots in use before the map grows or purges.
    static let loadFactor = 0.75
    /// How many weights the median of a purge is taken from.
    static let maxSampleSize = 1024

    /// log2 of the current number of slots.
    var lgCurSize: Int
    /// log2 of the largest number of slots.
    let lgMaxSize: Int
    /// Occupied slots.
    var numActive = 0

    /// Keys by slot (`""` in free slots).
    var keys: [String] = []
    /// Weights by slot.
    var values: [UInt64] = []
    /// 0 for a free slot, else the entry's probe distance + 1.
    var states: [UInt32] = []

    init(lgCurSize: Int, lgMaxSize: Int) {
        self.lgCurSize = lgCurSize
        self.lgMaxSize = lgMaxSize
    }

    /// The number of slots.
    var slotCount: Int { 1 << lgCurSize }

    /// How many entries fit before growing or purging: ⌊0.75 · 2^lg⌋.
    static func capacity(lgSize: Int) -> Int { Int(Double(1 << lgSize) * loadFactor) }

    /// Whether slot `index` holds an entry.
    func isActive(_ index: Int) -> Bool { states[index] != 0 }

    /// The weight stored for `key`, or 0.
    func weight(of key: String) -> UInt64 {
        guard numActive > 0 else { return 0 }
        let mask = slotCount - 1
        var index = Int(truncatingIfNeeded: FrequentItemsKeyHashing.slotHash(key)) & mask
        while states[index] != 0 {
            if FrequentItemsKeyHashing.sameBytes(keys[index], key) { return values[index] }
            index = (index + 1) & mask
        }
        return 0
    }

    /// Adds `value` to `key`'s weight, inserting it if absent; then grows or purges when the map
    /// is over capacity. Returns the weight subtracted by a purge (0 if none happened).
    mutating func adjustOrInsert(_ key: String, value: UInt64) -> UInt64 {
        if states.isEmpty { materialize() }
        let mask = slotCount - 1
        var index = Int(truncatingIfNeeded: FrequentItemsKeyHashing.slotHash(key)) & mask
        var drift: UInt32 = 1
        while states[index] != 0 {
            if FrequentItemsKeyHashing.sameBytes(keys[index], key) {
                values[index] = values[index].addingSaturating(value)
                return 0
            }
            index = (index + 1) & mask
            drift += 1  // at most the slot count (≤ 2^26), so it cannot overflow
        }
        keys[index] = key
        values[index] = value
        states[index] = drift
        numActive += 1
        guard numActive > Self.capacity(lgSize: lgCurSize) else { return 0 }
        if lgCurSize < lgMaxSize {
            resize(lgNewSize: lgCurSize + 1)
            return 0
        }
        return purge()
    }

    /// Allocates the slot arrays for the current size.
    private mutating func materialize() {
        keys = Array(repeating: "", count: slotCount)
        values = Array(repeating: 0, count: slotCount)
        states = Array(repeating: 0, count: slotCount)
    }

    /// Rehashes every entry, in slot order, into a table of `2^lgNewSize` slots.
    private mutating func resize(lgNewSize: Int) {
        let oldKeys = keys
        let oldValues = values
        let oldStates = states
        lgCurSize = lgNewSize
        numActive = 0
        materialize()
        for index in oldStates.indices where oldStates[index] != 0 {
            _ = adjustOrInsert(oldKeys[index], value: oldValues[index])
        }
    }

    /// Calls `body` with every entry in DataSketches' iteration order — the order of serialized
    /// images and of merges: from the first occupied slot, repeatedly step by an odd stride of
    /// about 0.618 · the slot count (so every slot comes up once) and visit occupied slots.
    func forEachEntry(_ body: (String, UInt64) throws -> Void) rethrows {
        guard numActive > 0 else { return }
        let mask = slotCount - 1
        let stride = Int(Double(slotCount) * Self.goldenRatioReciprocal) | 1
        var index = 0
        while states[index] == 0 { index += 1 }
        var visited = 0
        while true {
            try body(keys[index], values[index])
            visited += 1
            if visited == numActive { return }
            repeat { index = (index + stride) & mask } while states[index] == 0
        }
    }

    /// (√5 − 1) / 2, which sets the iteration stride.
    static let goldenRatioReciprocal = 0.6180339887498949
}

extension UInt64 {
    /// `self + other`, or `UInt64.max` if that overflows.
    func addingSaturating(_ other: UInt64) -> UInt64 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? .max : sum
    }
}
