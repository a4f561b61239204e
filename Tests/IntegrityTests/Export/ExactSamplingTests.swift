@testable import Integrity
import Testing

@Suite struct ExactSamplingTests {
    @Test(arguments: [(UInt128(1), UInt128(2)), (3, 2), (5, 2), (1, 10), (0, 1)])
    func bernoulliExpMatchesExpMinusGamma(numerator: UInt128, denominator: UInt128) throws {
        var source = SeededNoiseSource(seed: 11)
        let draws = 100_000
        var hits = 0
        for _ in 0..<draws where try ExactSampling.bernoulliExp(numerator: numerator, denominator: denominator, using: &source) { hits += 1 }
        let p = FloatingMath.exp(-Double(numerator) / Double(denominator))
        let sigma = (p * (1 - p) / Double(draws)).squareRoot()
        let observed = Double(hits) / Double(draws)
        #expect(abs(observed - p) <= 5 * sigma + 1e-12, "γ = \(numerator)/\(denominator): observed \(observed), expected \(p)")
    }

    @Test func uniformBelowThreeIsFlat() throws {
        var source = SeededNoiseSource(seed: 3)
        var counts = [0, 0, 0]
        for _ in 0..<30_000 { counts[Int(try ExactSampling.uniform(below: 3, using: &source))] += 1 }
        for count in counts { #expect(abs(count - 10_000) < 400, "\(counts)") }
    }

    @Test func uniformCoversWideBounds() throws {
        var source = SeededNoiseSource(seed: 5)
        let bound = (UInt128(1) << 100) + 12_345
        for _ in 0..<1000 { #expect(try ExactSampling.uniform(below: bound, using: &source) < bound) }
    }

    @Test func seededSourcesRepeatAndSystemSourceVaries() throws {
        var a = SeededNoiseSource(seed: 42), b = SeededNoiseSource(seed: 42)
        for _ in 0..<10 { #expect(try a.nextWord() == b.nextWord()) }
        var system = SystemNoiseSource()
        let words = try (0..<8).map { _ in try system.nextWord() }
        #expect(Set(words).count == 8)
    }
}
