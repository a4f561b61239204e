/// The per-row hash seeds of a Count-Min sketch, derived the way DataSketches 5.2.0 derives them
/// when built against libstdc++ (the Linux wheels): `std::default_random_engine` (which is
/// `minstd_rand0`) seeded with the sketch seed, drawn through
/// `std::uniform_int_distribution<uint64_t>(0, 2^64 − 1)`, plus the seed itself.
///
/// Only this exact derivation puts items into the same cells as the Python `datasketches`
/// package, and therefore makes serialized images byte-identical.
enum CountMinRowSeeds {
    /// The seeds of rows `0..<count` for `seed`.
    static func make(count: Int, seed: UInt64) -> [UInt64] {
        var engine = MinimalStandardEngine(seed: seed)
        var seeds: [UInt64] = []
        seeds.reserveCapacity(count)
        for _ in 0..<count {
            // Row seeds wrap modulo 2^64 in DataSketches (unsigned addition).
            seeds.append(uniformDraw(upTo: UInt64.max, using: &engine) &+ seed)
        }
        return seeds
    }

    /// libstdc++'s `uniform_int_distribution<uint64_t>` over `0...upperBound` driven by an
    /// engine whose output range (2147483645 + 1 values) may be smaller or larger than wanted.
    static func uniformDraw(upTo upperBound: UInt64, using engine: inout MinimalStandardEngine) -> UInt64 {
        let engineRange = MinimalStandardEngine.max - MinimalStandardEngine.min
        if engineRange > upperBound {
            // Downscaling: reject the engine outputs past the largest multiple of the wanted
            // span, then divide. No overflow: every value here is below 2^31.
            let span = upperBound + 1
            let scaling = engineRange / span
            let past = span * scaling
            var draw: UInt64
            repeat { draw = engine.next() - MinimalStandardEngine.min } while draw >= past
            return draw / scaling
        }
        if engineRange == upperBound {
            return engine.next() - MinimalStandardEngine.min
        }
        // Upscaling: combine a recursive draw of the high part with one engine output as the low
        // part, rejecting results beyond the range and those that wrapped past 2^64 (which is
        // why the arithmetic is deliberately modular).
        let engineSpan = engineRange + 1
        var high: UInt64
        var result: UInt64
        repeat {
            high = engineSpan &* uniformDraw(upTo: upperBound / engineSpan, using: &engine)
            result = high &+ (engine.next() - MinimalStandardEngine.min)
        } while result > upperBound || result < high
        return result
    }
}

/// The Lehmer generator `minstd_rand0`: x ← 16807·x mod (2^31 − 1), outputs 1…2^31 − 2.
struct MinimalStandardEngine {
    static let modulus: UInt64 = 2_147_483_647
    static let multiplier: UInt64 = 16_807
    static let min: UInt64 = 1
    static let max: UInt64 = modulus - 1

    private var state: UInt64

    /// Seeds like libstdc++ on LP64 (a 64-bit `uint_fast32_t`): the seed modulo the modulus, and
    /// 1 instead of a zero state.
    init(seed: UInt64) {
        let reduced = seed % Self.modulus
        state = reduced == 0 ? 1 : reduced
    }

    /// The next output. `state < 2^31`, so the product stays below 2^46.
    mutating func next() -> UInt64 {
        state = state * Self.multiplier % Self.modulus
        return state
    }
}
