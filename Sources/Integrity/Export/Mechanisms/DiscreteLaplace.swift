/// The discrete Laplace distribution (two-sided geometric): P(X = x) ∝ α^|x| on the integers,
/// α = exp(−1/scale). With `scale = Δ / ε` it makes an integer query with ℓ₁-sensitivity Δ
/// ε-differentially private — the mechanism OpenDP calls `make_geometric` / `make_laplace` on
/// integers.
///
/// The scale is an exact rational `numerator / denominator`, and sampling follows Canonne, Kamath
/// & Steinke 2020, Algorithm 2: integer arithmetic and exact Bernoulli trials only.
public struct DiscreteLaplace: Sendable, Hashable {
    /// The scale's numerator (`t` in the paper).
    public let numerator: UInt128
    /// The scale's denominator (`s` in the paper).
    public let denominator: UInt128

    /// The distribution of scale `numerator / denominator` (both positive), reduced.
    public init(scaleNumerator numerator: UInt128, denominator: UInt128) {
        precondition(numerator > 0 && denominator > 0, "a discrete Laplace scale must be positive")
        let divisor = Self.gcd(numerator, denominator)
        self.numerator = numerator / divisor
        self.denominator = denominator / divisor
    }

    /// The mechanism for a query of ℓ₁-sensitivity `sensitivity` at privacy loss `epsilon`:
    /// scale = Δ / ε exactly. `nil` when ε is zero or Δ not positive.
    public init?(sensitivity: Int, epsilon: Epsilon) {
        guard sensitivity > 0, epsilon.units > 0 else { return nil }
        self.init(scaleNumerator: UInt128(sensitivity) * UInt128(Epsilon.unitDenominator), denominator: UInt128(epsilon.units))
    }

    /// The scale Δ / ε as a `Double` (what OpenDP's `binary_search_param` finds).
    public var scale: Double { Double(numerator) / Double(denominator) }

    /// α = exp(−1 / scale).
    public var alpha: Double { (-Double(denominator) / Double(numerator)).exponentialOfSelf }

    /// The variance 2α / (1 − α)².
    public var variance: Double {
        let alpha = alpha
        return 2 * alpha / ((1 - alpha) * (1 - alpha))
    }

    /// The exact probability of `value`: (1 − α) / (1 + α) · α^|value|.
    public func probability(of value: Int64) -> Double {
        let alpha = alpha
        return (1 - alpha) / (1 + alpha) * Double.pow(alpha, value.magnitude)
    }

    /// P(X ≥ m) for m ≥ 1: α^m / (1 + α).
    public func upperTail(atLeast m: Int64) -> Double {
        precondition(m >= 1, "upperTail needs m ≥ 1")
        let alpha = alpha
        return Double.pow(alpha, m.magnitude) / (1 + alpha)
    }

    /// One draw (Canonne–Kamath–Steinke Algorithm 2, with t = numerator, s = denominator).
    public func sample<Source: NoiseSource>(using source: inout Source) throws(NoiseSourceError) -> Int64 {
        while true {
            let u = try ExactSampling.uniform(below: numerator, using: &source)
            guard try ExactSampling.bernoulliExp(numerator: u, denominator: numerator, using: &source) else { continue }
            var v: UInt128 = 0
            while try ExactSampling.bernoulliExp(numerator: 1, denominator: 1, using: &source) { v += 1 }
            let y = (u + numerator * v) / denominator
            let negative = try ExactSampling.bernoulli(numerator: 1, denominator: 2, using: &source)
            if negative && y == 0 { continue }
            // y is geometric: beyond 2⁶² only with probability below α^(2⁶²), i.e. never.
            let magnitude = Int64(clamping: y)
            return negative ? -magnitude : magnitude
        }
    }

    private static func gcd(_ a: UInt128, _ b: UInt128) -> UInt128 {
        var (a, b) = (a, b)
        while b != 0 { (a, b) = (b, a % b) }
        return a
    }
}

extension Double {
    /// e^self (through Glibc, kept here so the samplers' file imports nothing).
    var exponentialOfSelf: Double { FloatingMath.exp(self) }

    /// base^exponent for a non-negative integer exponent.
    static func pow(_ base: Double, _ exponent: UInt64) -> Double { FloatingMath.pow(base, Double(exponent)) }
}
