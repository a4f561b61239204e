@testable import Integrity
import Storage
import Testing

@Suite struct PartitionThresholdTests {
    @Test(arguments: [("1", "1e-6", 8), ("0.111111", "1e-6", 8), ("3", "1e-9", 1), ("0.5", "1e-5", 20)])
    func tauIsTheSmallestThresholdWithinDelta(epsilon: String, delta: String, partitions: Int) throws {
        let e = try #require(Epsilon(decimal: epsilon)), d = try #require(Delta(decimal: delta))
        let threshold = try PartitionThreshold(epsilon: e, delta: d, maxPartitions: partitions, k: 50)
        let tau = threshold.tau
        #expect(tau > 1)
        // L₀ · P(1 + Z ≥ τ) ≤ δ, and τ − 1 would not do.
        #expect(Double(partitions) * threshold.noise.upperTail(atLeast: tau - 1) <= d.doubleValue)
        if tau > 2 { #expect(Double(partitions) * threshold.noise.upperTail(atLeast: tau - 2) > d.doubleValue) }
        #expect(threshold.medianReleaseSize == 49 + tau)
    }

    @Test func tauForEpsilonOneDeltaMicroOneCell() throws {
        // α = e⁻¹: τ − 1 ≥ ln(1 / (10⁻⁶ (1 + e⁻¹))) = 13.50 → τ = 15.
        let threshold = try PartitionThreshold(epsilon: Epsilon(units: 1_000_000), delta: Delta(units: 1_000_000_000), maxPartitions: 1, k: 1)
        #expect(threshold.tau == 15)
    }

    @Test func cellsBelowKNeverPassWhateverTheNoise() throws {
        // A huge ε makes the noise ~0 and τ = 2 (a shifted count of 1 must not pass): cells of
        // k + 1 users pass, nothing below k ever does, whatever the draws.
        let threshold = try PartitionThreshold(epsilon: Epsilon(units: 900_000_000), delta: Delta(units: 1_000_000_000), maxPartitions: 1, k: 50)
        #expect(threshold.tau == 2)
        var source = SeededNoiseSource(seed: 1)
        for users in 1..<50 {
            for _ in 0..<50 { #expect(try threshold.select(users: users, using: &source) == nil, "\(users) users") }
        }
        #expect(try threshold.select(users: 51, using: &source) == 51)
    }

    @Test func refusesBadParameters() {
        #expect(throws: ExportError.self) { try PartitionThreshold(epsilon: Epsilon(units: 1), delta: Delta(units: 0), maxPartitions: 1, k: 1) }
        #expect(throws: ExportError.self) { try PartitionThreshold(epsilon: Epsilon(units: 0), delta: Delta(units: 1), maxPartitions: 1, k: 1) }
        #expect(throws: ExportError.self) { try PartitionThreshold(epsilon: Epsilon(units: 1), delta: Delta(units: 1), maxPartitions: 1, k: 0) }
    }
}

@Suite struct NoisyHistogramTests {
    @Test func bucketsAndQuantilesOfAnExactHistogram() throws {
        let edges = BucketEdges([10, 100, 1000])
        #expect(edges.bucket(of: 0) == 0 && edges.bucket(of: 10) == 0 && edges.bucket(of: 11) == 1 && edges.bucket(of: 5000) == 3)
        // ε huge: noise is 0 with overwhelming probability, so quantiles are the exact bucket bounds.
        let mechanism = try NoiseMechanism.make(.laplace, l1: 1, l2: 1, epsilon: Epsilon(units: 900_000_000), delta: Delta(units: 0))
        var source = SeededNoiseSource(seed: 2)
        let histogram = try NoisyHistogram(exact: [50, 40, 9, 1], edges: edges, mechanism: mechanism, using: &source)
        #expect(histogram.counts == [50, 40, 9, 1])
        #expect(histogram.quantile(0.5) == 10)
        #expect(histogram.quantile(0.9) == 100)
        #expect(histogram.quantile(0.99) == 1000)
        #expect(histogram.quantile(1.0) == 1000)
        let empty = try NoisyHistogram(exact: [0, 0, 0, 0], edges: edges, mechanism: mechanism, using: &source)
        #expect(empty.quantile(0.5) == nil)
    }
}
