import Testing
@testable import Stats

/// Seeded property tests: sketches built in Swift stay within DataSketches' error bounds.
@Suite struct KLLAccuracyTests {
    enum Distribution: String, CaseIterable, CustomTestStringConvertible {
        case uniform, ascending, descending, fewDistinct, zigzag, heavyTail

        var testDescription: String { rawValue }

        func values(count: Int, seed: UInt64) -> [Float] {
            var generator = SplitMix64(seed: seed)
            return (0..<count).map { index in
                let word = generator.next()
                switch self {
                case .uniform: return Float(word >> 40) / 16_777_216
                case .ascending: return Float(index)
                case .descending: return Float(count - index)
                case .fewDistinct: return Float(word % 7)
                case .zigzag: return Float(index.isMultiple(of: 2) ? index : count - index)
                case .heavyTail: return 1 / (Float(word >> 40) / 16_777_216 + 1e-6)
                }
            }
        }
    }

    static let seeds: Range<UInt64> = 0..<3
    static let count = 20_000

    @Test(arguments: Distribution.allCases, [8, 50, 200] as [UInt16])
    func quantilesRanksAndPMFAreWithinTheRankError(_ distribution: Distribution, k: UInt16) throws {
        for seed in Self.seeds {
            let values = distribution.values(count: Self.count, seed: seed)
            var sketch = try KLLFloatsSketch(k: k, randomSeed: seed)
            for value in values { sketch.update(value) }
            let truth = KLLTrueRanks(values)
            let epsilon = sketch.normalizedRankError(pmf: false)
            let context = "seed \(seed), \(distribution), k \(k)"

            #expect(sketch.n == UInt64(Self.count), "\(context)")
            #expect(sketch.minItem == truth.sorted.first && sketch.maxItem == truth.sorted.last, "\(context)")
            #expect(sketch.invariantViolations().isEmpty, "\(context)")

            let ranks = (0...50).map { Double($0) / 50 }
            for (rank, quantile) in zip(ranks, try sketch.quantiles(ranks: ranks)) {
                let distance = truth.rankDistance(ofQuantile: quantile, toRank: rank)
                #expect(distance <= epsilon, "\(context): quantile(\(rank)) = \(quantile) is \(distance) off")
            }
            for index in stride(from: 0, to: values.count, by: 397) {
                let item = values[index]
                for inclusive in [true, false] {
                    let error = abs(sketch.rank(of: item, inclusive: inclusive) - truth.rank(of: item, inclusive: inclusive))
                    #expect(error <= epsilon, "\(context): rank(\(item), inclusive: \(inclusive)) is \(error) off")
                }
            }
            let splitPoints = Array(Set(try sketch.quantiles(ranks: [0.2, 0.4, 0.6, 0.8]))).sorted()
            let pmf = try sketch.pmf(splitPoints: splitPoints)
            var previous = 0.0
            for (index, point) in splitPoints.enumerated() {
                let exact = truth.rank(of: point, inclusive: true)
                let error = abs(pmf[index] - (exact - previous))
                #expect(error <= sketch.normalizedRankError(pmf: true), "\(context): pmf[\(index)] is \(error) off")
                previous = exact
            }
            #expect(abs(pmf.reduce(0, +) - 1) < 1e-9, "\(context)")
        }
    }
}
