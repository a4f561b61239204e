/// Exact samplers on integers and rationals: uniform integers by rejection, Bernoulli(p) for a
/// rational p, and Bernoulli(exp(−γ)) for a rational γ (Canonne, Kamath & Steinke 2020,
/// "The Discrete Gaussian for Differential Privacy", Algorithm 1). No floating point anywhere, so
/// none of the floating-point attacks on Laplace noise (Mironov 2012) apply.
///
/// Rationals are `UInt128` numerator / denominator pairs; the mechanisms keep them far below 2¹²⁷.
public enum ExactSampling {
    /// A uniform integer in `0 ..< bound` (`bound > 0`), by rejection on the smallest power of two
    /// covering it (at most two draws expected).
    public static func uniform<Source: NoiseSource>(below bound: UInt128, using source: inout Source) throws(NoiseSourceError) -> UInt128 {
        precondition(bound > 0, "uniform(below:) needs a positive bound")
        if bound == 1 { return 0 }
        let bits = 128 - (bound - 1).leadingZeroBitCount
        let mask: UInt128 = bits == 128 ? ~0 : (UInt128(1) << bits) - 1
        while true {
            let high = bits > 64 ? UInt128(try source.nextWord()) << 64 : 0
            let candidate = (high | UInt128(try source.nextWord())) & mask
            if candidate < bound { return candidate }
        }
    }

    /// True with probability `numerator / denominator` (`numerator ≤ denominator`, `denominator > 0`).
    public static func bernoulli<Source: NoiseSource>(numerator: UInt128, denominator: UInt128, using source: inout Source) throws(NoiseSourceError) -> Bool {
        precondition(denominator > 0 && numerator <= denominator, "bernoulli needs a probability in [0, 1]")
        if numerator == denominator { return true }
        if numerator == 0 { return false }
        return try uniform(below: denominator, using: &source) < numerator
    }

    /// True with probability `exp(−numerator / denominator)` (`denominator > 0`).
    ///
    /// For γ ≤ 1: K ← 1; while Bernoulli(γ / K) succeeds, K ← K + 1; succeed iff K is odd. For
    /// γ > 1: ⌊γ⌋ independent Bernoulli(e⁻¹) must all succeed, then Bernoulli(exp(−(γ − ⌊γ⌋))).
    public static func bernoulliExp<Source: NoiseSource>(numerator: UInt128, denominator: UInt128, using source: inout Source) throws(NoiseSourceError) -> Bool {
        precondition(denominator > 0, "bernoulliExp needs a positive denominator")
        var rest = numerator
        while rest > denominator {
            guard try bernoulliExpAtMostOne(numerator: 1, denominator: 1, using: &source) else { return false }
            rest -= denominator
        }
        return try bernoulliExpAtMostOne(numerator: rest, denominator: denominator, using: &source)
    }

    /// Algorithm 1 of Canonne–Kamath–Steinke for γ = numerator / denominator ∈ [0, 1].
    private static func bernoulliExpAtMostOne<Source: NoiseSource>(numerator: UInt128, denominator: UInt128, using source: inout Source) throws(NoiseSourceError) -> Bool {
        var k: UInt128 = 1
        // P(K > n) = γⁿ / n!, so K stays tiny and denominator · K cannot overflow for the
        // denominators the mechanisms use (< 2⁹⁶).
        while try bernoulli(numerator: numerator, denominator: denominator * k, using: &source) {
            k += 1
        }
        return k & 1 == 1
    }
}
