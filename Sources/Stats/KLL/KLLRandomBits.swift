/// The coin a KLL compaction flips to keep either the even or the odd items of a level.
///
/// `Stats` has no randomness of its own, so each sketch carries a ``SplitMix64`` generator seeded
/// by the caller: the same seed and the same input give the same sketch, bit for bit.
/// (DataSketches flips a time-seeded coin, so only the distribution of its results can match.)
struct KLLRandomBits: Sendable {
    private var generator: SplitMix64
    private var buffer: UInt64 = 0
    private var bitsLeft = 0

    /// A generator whose stream is fixed by `seed`.
    init(seed: UInt64) {
        generator = SplitMix64(seed: seed)
    }

    /// The next bit, 0 or 1; consumes one 64-bit word every 64 calls.
    mutating func nextBit() -> Int {
        if bitsLeft == 0 {
            buffer = generator.next()
            bitsLeft = UInt64.bitWidth
        }
        let bit = Int(truncatingIfNeeded: buffer & 1)
        buffer >>= 1
        bitsLeft -= 1
        return bit
    }
}
