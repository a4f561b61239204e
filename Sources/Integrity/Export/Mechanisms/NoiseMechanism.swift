/// Which distribution noise comes from.
public enum NoiseKind: String, Sendable, Hashable, CaseIterable {
    /// Discrete Laplace (two-sided geometric), pure ε-DP.
    case laplace
    /// Discrete Gaussian, (ε, δ)-DP with the classic calibration (ε < 1).
    case gaussian
}

/// A calibrated additive-noise mechanism for one integer query: its distribution and the figures
/// the release's metadata prints.
public enum NoiseMechanism: Sendable, Hashable {
    /// Discrete Laplace of scale Δ₁ / ε.
    case laplace(DiscreteLaplace)
    /// Discrete Gaussian of the classic σ for (Δ₂, ε, δ).
    case gaussian(DiscreteGaussian)

    /// The mechanism for a query with ℓ₁-sensitivity `l1` and ℓ₂-sensitivity `l2` at (ε, δ).
    /// - Throws: ``ExportError/invalidParameter(_:)`` when ε is zero, δ is zero for the Gaussian,
    ///   ε ≥ 1 for the classic Gaussian, or σ is beyond the sampler's range.
    public static func make(_ kind: NoiseKind, l1: Int, l2: Double, epsilon: Epsilon, delta: Delta) throws(ExportError) -> NoiseMechanism {
        switch kind {
        case .laplace:
            guard let laplace = DiscreteLaplace(sensitivity: l1, epsilon: epsilon) else {
                throw .invalidParameter("the Laplace mechanism needs ε > 0 and a positive sensitivity (ε = \(epsilon), Δ₁ = \(l1))")
            }
            return .laplace(laplace)
        case .gaussian:
            guard delta.units > 0, epsilon.units > 0, epsilon.units < Epsilon.unitDenominator else {
                throw .invalidParameter("the classic Gaussian mechanism needs 0 < ε < 1 and δ > 0 per query (ε = \(epsilon), δ = \(delta))")
            }
            let sigma = DiscreteGaussian.classicSigma(l2Sensitivity: l2, epsilon: epsilon, delta: delta)
            guard let gaussian = DiscreteGaussian(sigma: sigma) else {
                throw .invalidParameter("the Gaussian σ \(sigma) is out of the sampler's range")
            }
            return .gaussian(gaussian)
        }
    }

    /// One noise draw.
    public func sample<Source: NoiseSource>(using source: inout Source) throws(NoiseSourceError) -> Int64 {
        switch self {
        case let .laplace(laplace): try laplace.sample(using: &source)
        case let .gaussian(gaussian): try gaussian.sample(using: &source)
        }
    }

    /// The noise's standard deviation.
    public var standardDeviation: Double {
        switch self {
        case let .laplace(laplace): laplace.variance.squareRoot()
        case let .gaussian(gaussian): gaussian.variance.squareRoot()
        }
    }

    /// `discrete_laplace(scale=…)` or `discrete_gaussian(sigma=…)`, for the metadata.
    public var summary: String {
        switch self {
        case let .laplace(laplace): "discrete_laplace(scale=\(Self.short(laplace.scale)))"
        case let .gaussian(gaussian): "discrete_gaussian(sigma=\(Self.short(gaussian.variance.squareRoot())))"
        }
    }

    static func short(_ value: Double) -> String {
        let rounded = (value * 10_000).rounded() / 10_000
        return rounded == rounded.rounded() && abs(rounded) < 1e15 ? String(Int64(rounded)) : String(rounded)
    }
}
