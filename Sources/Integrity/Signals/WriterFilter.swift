/// "Has this user ever written to the business?" — a blocked Bloom filter of the pseudonyms of
/// users who sent the business a message, per key epoch: a user's k bits all lie in one 512-bit
/// block (one cache line), so a test costs one memory access.
///
/// A user who wrote is always found (no false negatives while the key lives); a user who never
/// wrote is found with probability about (1 − e^(−k·n/m))^k (a little more, blocks filling unevenly)
/// — 0.3 % with 200 writers, 3 % with 500, 30 % with 1 500 at the default 4 096 bits and k = 3. A false positive makes a recipient
/// look warm: the cold-recipient share errs low (lenient) for businesses with very many writers,
/// never high. Exact membership for all users would need memory growing with them; the 24-hour
/// table (``RecentContact``) is exact for the users it samples.
///
/// Pseudonyms change at each key rotation, so the filter of the previous epoch is kept during the
/// grace period and a writer found there is copied into the current one when next seen; after the
/// grace period "never wrote" means "not since the start of the previous epoch" for users not seen
/// in between.
struct WriterFilter {
    /// The current epoch's bits (empty until the first writer).
    var current: [UInt64] = []
    /// The previous epoch's bits, during the grace period.
    var previous: [UInt64] = []
    /// The epoch of `current`.
    var epoch: Int64 = .min
    /// Filter size in bits (a power of two, multiple of 64).
    let bitCount: Int
    /// Bits set per writer.
    static let hashCount = 3

    init(bitCount: Int) {
        precondition(bitCount >= 64 && bitCount & (bitCount - 1) == 0, "filter size must be a power of two ≥ 64")
        self.bitCount = bitCount
    }

    /// Moves to `epoch` (the current filter becomes the previous one) and drops the previous
    /// filter when `graceOver`.
    @inline(__always)
    mutating func prepare(epoch newEpoch: Int64, graceOver: Bool) {
        if newEpoch > epoch {
            previous = newEpoch == epoch + 1 ? current : []
            current = []
            epoch = newEpoch
        }
        if graceOver && !previous.isEmpty { previous = [] }
    }

    /// Records that the user wrote.
    @inline(__always)
    mutating func insert(_ pseudonym: Pseudonym) {
        if current.isEmpty { current = [UInt64](repeating: 0, count: bitCount / 64) }
        let (word, b, mask) = Self.block(pseudonym, bitCount: bitCount)
        for probe in 0..<Self.hashCount {
            let bit = Int((b >> UInt32(9 * probe)) & mask)
            current[word + bit >> 6] |= 1 << UInt64(bit & 63)
        }
    }

    /// The first word of the user's block, and the hash whose 9-bit fields (masked to the block
    /// size) place the user's bits inside it. Sizes are powers of two: shifts and masks, not the
    /// divisions by a size known only at run time that a test would otherwise cost (three).
    @inline(__always)
    private static func block(_ pseudonym: Pseudonym, bitCount: Int) -> (word: Int, bits: UInt32, mask: UInt32) {
        let (a, b) = pseudonym.filterHashes
        let blockBits = min(512, bitCount)
        let blockShift = blockBits.trailingZeroBitCount
        let blocks = UInt32(truncatingIfNeeded: bitCount &>> blockShift)
        return (Int(a & (blocks &- 1)) &<< (blockShift &- 6), b, UInt32(blockBits - 1))
    }

    /// Whether the user (probably) wrote: in the current filter, or in the previous one under
    /// the previous pseudonym — then copied forward.
    @inline(__always)
    mutating func contains(_ pair: PseudonymPair) -> Bool {
        if Self.test(current, pair.current, bitCount: bitCount) { return true }
        guard let old = pair.previous, Self.test(previous, old, bitCount: bitCount) else { return false }
        insert(pair.current)
        return true
    }

    /// Words in the current filter (0 before the first writer).
    var currentWords: Int { current.count }

    /// Loads the user's block of the current filter (the look-ahead: no effect but on the cache);
    /// returns a value derived from it.
    @inline(__always)
    func warm(_ pseudonym: Pseudonym) -> UInt64 {
        guard !current.isEmpty else { return 0 }
        return current[Self.block(pseudonym, bitCount: bitCount).word]
    }

    /// The share of bits set in the current filter (saturation: ≥ 0.5 means many false positives).
    var fillRatio: Double {
        guard !current.isEmpty else { return 0 }
        return Double(current.reduce(0) { $0 + $1.nonzeroBitCount }) / Double(bitCount)
    }

    /// Heap bytes held by the current and the previous filter.
    var currentHeapBytes: Int { current.capacity * 8 }
    var previousHeapBytes: Int { previous.capacity * 8 }

    @inline(__always)
    private static func test(_ bits: [UInt64], _ pseudonym: Pseudonym, bitCount: Int) -> Bool {
        guard !bits.isEmpty else { return false }
        let (word, hash, mask) = block(pseudonym, bitCount: bitCount)
        for probe in 0..<hashCount {
            let bit = Int((hash >> UInt32(9 * probe)) & mask)
            if bits[word + bit >> 6] & (1 << UInt64(bit & 63)) == 0 { return false }
        }
        return true
    }
}
