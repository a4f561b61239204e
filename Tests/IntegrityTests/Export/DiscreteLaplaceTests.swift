@testable import Integrity
import Testing

@Suite struct DiscreteLaplaceTests {
    @Test(arguments: [(1, "1", 1.0), (3, "0.5", 6.0), (8, "0.111111", 72.000072000072), (40, "2.5", 16.0)])
    func scaleIsSensitivityOverEpsilon(sensitivity: Int, epsilon: String, scale: Double) throws {
        let parsed = try #require(Epsilon(decimal: epsilon))
        let laplace = try #require(DiscreteLaplace(sensitivity: sensitivity, epsilon: parsed))
        #expect(abs(laplace.scale - scale) < 1e-9)
        #expect(abs(laplace.alpha - FloatingMath.exp(-1 / scale)) < 1e-12)
    }

    @Test func scaleIsReducedExactly() throws {
        let half = try #require(Epsilon(decimal: "0.5"))
        let laplace = try #require(DiscreteLaplace(sensitivity: 3, epsilon: half))
        #expect(laplace.numerator == 6 && laplace.denominator == 1)
    }

    @Test func refusesZeroEpsilon() {
        #expect(DiscreteLaplace(sensitivity: 1, epsilon: Epsilon(units: 0)) == nil)
        #expect(DiscreteLaplace(sensitivity: 0, epsilon: Epsilon(units: 1)) == nil)
    }

    @Test func probabilitiesSumToOne() throws {
        let laplace = try #require(DiscreteLaplace(sensitivity: 2, epsilon: Epsilon(units: 700_000)))
        let total = (-400...400).reduce(0.0) { $0 + laplace.probability(of: Int64($1)) }
        #expect(abs(total - 1) < 1e-9)
        #expect(abs(laplace.upperTail(atLeast: 1) - (1...400).reduce(0.0) { $0 + laplace.probability(of: Int64($1)) }) < 1e-9)
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func samplesHaveTheVarianceOfThePMF(seed: UInt64) throws {
        let laplace = try #require(DiscreteLaplace(sensitivity: 3, epsilon: Epsilon(units: 1_000_000)))
        var source = SeededNoiseSource(seed: seed)
        let draws = 100_000
        var sum = 0.0, squares = 0.0
        for _ in 0..<draws {
            let x = Double(try laplace.sample(using: &source))
            sum += x
            squares += x * x
        }
        let mean = sum / Double(draws)
        let variance = squares / Double(draws) - mean * mean
        // Var = 2α/(1−α)² ≈ 17.0 for scale 3; its sampling error over 10⁵ draws is ~0.2.
        #expect(abs(mean) < 0.06, "seed \(seed): mean \(mean)")
        #expect(abs(variance / laplace.variance - 1) < 0.05, "seed \(seed): variance \(variance), expected \(laplace.variance)")
    }

    @Test func seededDrawsAreReproducible() throws {
        let laplace = try #require(DiscreteLaplace(sensitivity: 5, epsilon: Epsilon(units: 250_000)))
        var a = SeededNoiseSource(seed: 9), b = SeededNoiseSource(seed: 9)
        let first = try (0..<50).map { _ in try laplace.sample(using: &a) }
        let second = try (0..<50).map { _ in try laplace.sample(using: &b) }
        #expect(first == second)
        #expect(Set(first).count > 10)
    }

    /// Goodness of fit to the exact PMF: Pearson χ² over 10⁶ draws with a fixed seed, bins
    /// |x| ≤ 20 plus two tails (expected count ≥ 5 in each), compared with the 0.999 quantile of
    /// χ² with 42 degrees of freedom (≈ 76.1 by Wilson–Hilferty). Under 2 s in a debug build.
    @Test func chiSquareGoodnessOfFitOverAMillionDraws() throws {
        let laplace = try #require(DiscreteLaplace(sensitivity: 4, epsilon: Epsilon(units: 1_000_000)))
        var source = SeededNoiseSource(seed: 20_240_229)
        let draws = 1_000_000
        let limit: Int64 = 20
        var counts = [Int](repeating: 0, count: Int(2 * limit + 3))
        for _ in 0..<draws {
            let x = try laplace.sample(using: &source)
            let bin = x < -limit ? 0 : x > limit ? counts.count - 1 : Int(x + limit + 1)
            counts[bin] += 1
        }
        var expected = (-limit...limit).map { laplace.probability(of: $0) }
        let tail = laplace.upperTail(atLeast: limit + 1)
        expected = [tail] + expected + [tail]
        var chiSquare = 0.0
        for (count, p) in zip(counts, expected) {
            let e = p * Double(draws)
            chiSquare += (Double(count) - e) * (Double(count) - e) / e
        }
        print("discrete Laplace scale 4: χ² = \(chiSquare) over \(counts.count) bins (df \(counts.count - 1), 0.999 quantile ≈ 76.1)")
        #expect(chiSquare < 76.1, "χ² \(chiSquare): the sampler does not follow the PMF")
        // And it can fail: the same draws against a Laplace of scale 4.4 are rejected.
        let wrong = DiscreteLaplace(scaleNumerator: 22, denominator: 5)
        var wrongChi = 0.0
        for (index, count) in counts.enumerated() {
            let x = Int64(index) - limit - 1
            let p = index == 0 || index == counts.count - 1 ? wrong.upperTail(atLeast: limit + 1) : wrong.probability(of: x)
            wrongChi += (Double(count) - p * Double(draws)) * (Double(count) - p * Double(draws)) / (p * Double(draws))
        }
        #expect(wrongChi > 76.1, "χ² against the wrong scale: \(wrongChi)")
    }
}

@Suite struct DiscreteGaussianTests {
    @Test func samplesHaveVarianceSigmaSquared() throws {
        let gaussian = try #require(DiscreteGaussian(sigma: 6.5))
        #expect(gaussian.proposalScale == 7)
        var source = SeededNoiseSource(seed: 4)
        let draws = 50_000
        var sum = 0.0, squares = 0.0
        for _ in 0..<draws {
            let x = Double(try gaussian.sample(using: &source))
            sum += x
            squares += x * x
        }
        let mean = sum / Double(draws)
        // The discrete Gaussian's variance is within 10⁻⁹ of σ² for σ ≥ 1.
        #expect(abs(mean) < 0.12)
        #expect(abs(squares / Double(draws) - mean * mean - 42.25) < 42.25 * 0.04)
    }

    @Test func classicSigmaMatchesTheFormula() throws {
        let sigma = DiscreteGaussian.classicSigma(l2Sensitivity: 2, epsilon: try #require(Epsilon(decimal: "0.5")), delta: try #require(Delta(decimal: "1e-5")))
        #expect(abs(sigma - 2 * (2 * FloatingMath.log(1.25e5)).squareRoot() / 0.5) < 1e-9)
        #expect(throws: ExportError.self) {
            try NoiseMechanism.make(.gaussian, l1: 1, l2: 1, epsilon: Epsilon(units: 2_000_000), delta: Delta(units: 1))
        }
    }
}
