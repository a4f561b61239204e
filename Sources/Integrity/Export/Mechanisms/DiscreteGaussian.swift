/// The discrete Gaussian: P(X = x) ∝ exp(−x² / 2σ²) on the integers, with σ² an exact rational
/// (Canonne, Kamath & Steinke 2020, Algorithm 3: rejection from a discrete Laplace of scale
/// ⌊σ⌋ + 1, accepted with Bernoulli(exp(−(|Y| − σ²/t)² / 2σ²)) — all exact).
public struct DiscreteGaussian: Sendable, Hashable {
    /// σ² = varianceNumerator / varianceDenominator.
    public let varianceNumerator: UInt128
    /// The denominator of σ².
    public let varianceDenominator: UInt128
    /// t = ⌊σ⌋ + 1, the scale of the proposal distribution.
    public let proposalScale: UInt128

    /// σ² is held in millionths, rounded up (more noise, never less).
    public static let varianceDenominatorUnits: UInt128 = 1_000_000

    /// The largest σ accepted: the rejection step's products stay below 2¹²⁸.
    public static let maximumSigma = 1_000_000.0

    /// A discrete Gaussian with standard deviation at least `sigma` (σ² rounded up to 10⁻⁶);
    /// `nil` unless 0 < σ ≤ ``maximumSigma``.
    public init?(sigma: Double) {
        guard sigma > 0, sigma <= Self.maximumSigma, sigma.isFinite else { return nil }
        let scaled = (sigma * sigma * Double(Self.varianceDenominatorUnits)).rounded(.up)
        varianceNumerator = UInt128(max(scaled, 1))
        varianceDenominator = Self.varianceDenominatorUnits
        var root = UInt128(max(0, (varianceNumerator / varianceDenominator).squareRootEstimate))
        while root * root > varianceNumerator / varianceDenominator { root -= 1 }
        while (root + 1) * (root + 1) <= varianceNumerator / varianceDenominator { root += 1 }
        proposalScale = root + 1
    }

    /// The classic Gaussian mechanism's σ = Δ₂ √(2 ln(1.25/δ)) / ε (Dwork & Roth, valid for ε < 1).
    public static func classicSigma(l2Sensitivity: Double, epsilon: Epsilon, delta: Delta) -> Double {
        l2Sensitivity * FloatingMath.sqrt(2 * FloatingMath.log(1.25 / delta.doubleValue)) / epsilon.doubleValue
    }

    /// σ² as a `Double`.
    public var variance: Double { Double(varianceNumerator) / Double(varianceDenominator) }

    /// One draw.
    public func sample<Source: NoiseSource>(using source: inout Source) throws(NoiseSourceError) -> Int64 {
        let proposal = DiscreteLaplace(scaleNumerator: proposalScale, denominator: 1)
        let n = varianceNumerator, d = varianceDenominator, t = proposalScale
        while true {
            let y = try proposal.sample(using: &source)
            // γ = (|y| − σ²/t)² / 2σ² = (|y|·t·d − n)² / (2·n·d·t²).
            let scaled = UInt128(y.magnitude) * t * d
            let difference = scaled > n ? scaled - n : n - scaled
            let (square, overflow) = difference.multipliedReportingOverflow(by: difference)
            // |y| beyond ~2⁴⁰ · t has probability e^(−2⁴⁰): reject it rather than overflow.
            guard !overflow else { continue }
            if try ExactSampling.bernoulliExp(numerator: square, denominator: 2 * n * d * t * t, using: &source) {
                return y
            }
        }
    }
}

extension UInt128 {
    /// ⌊√self⌋ to within one, from a `Double` (refined by the caller).
    fileprivate var squareRootEstimate: UInt128 { UInt128(Double(self).squareRoot()) }
}
