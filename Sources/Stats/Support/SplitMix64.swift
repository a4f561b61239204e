/// SplitMix64 (Steele, Lea & Flood, 2014): a tiny, fast, seeded pseudorandom generator.
///
/// `Stats` has no randomness of its own: whoever needs random bits (KLL's compaction coin, tests,
/// synthetic workloads) passes a seed, so the same seed and input give the same result, bit for bit.
/// Not cryptographic.
public struct SplitMix64: RandomNumberGenerator, Sendable, Equatable {
    private var state: UInt64

    /// A generator whose stream is fixed by `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits. Wrapping arithmetic is the algorithm, not an accident.
    public mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
