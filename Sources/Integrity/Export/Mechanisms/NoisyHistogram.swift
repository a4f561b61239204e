/// Fixed bucket edges for a bounded quantity: value v falls in the first bucket whose upper edge
/// is ≥ v; the last bucket is open (reported as its lower edge, "more than").
public struct BucketEdges: Sendable, Hashable {
    /// Inclusive upper edges, strictly increasing.
    public let upperEdges: [Int64]

    /// Edges; must be strictly increasing and non-empty.
    public init(_ upperEdges: [Int64]) {
        precondition(!upperEdges.isEmpty && zip(upperEdges, upperEdges.dropFirst()).allSatisfy { $0 < $1 }, "bucket edges must increase")
        self.upperEdges = upperEdges
    }

    /// Buckets: one per edge plus the open one above the last edge.
    public var count: Int { upperEdges.count + 1 }

    /// The bucket of `value`.
    public func bucket(of value: Int64) -> Int {
        var low = 0, high = upperEdges.count
        while low < high {
            let middle = (low + high) / 2
            if upperEdges[middle] >= value { high = middle } else { low = middle + 1 }
        }
        return low
    }

    /// Message sizes in bytes: 64 B … 256 KiB by powers of two.
    public static let messageBytes = BucketEdges((6...18).map { Int64(1) << $0 })
    /// Delivery latency in milliseconds: 10 ms … 1 day, roughly ×3 apart.
    public static let latencyMilliseconds = BucketEdges([10, 30, 100, 300, 1_000, 3_000, 10_000, 30_000, 60_000,
                                                         300_000, 900_000, 3_600_000, 21_600_000, 86_400_000])
}

/// DP quantiles over bounded buckets: noise every bucket of a histogram (one user moves the
/// histogram by at most its contribution cap per cell, so the ℓ₁ sensitivity is the cap times
/// the cells per user), clamp at zero, and read quantiles off the noisy CDF — post-processing,
/// no further privacy cost. A quantile is reported as the upper edge of the bucket where the
/// noisy CDF first reaches q (an upper bound at bucket resolution).
public struct NoisyHistogram: Sendable, Hashable {
    /// Noisy bucket counts, clamped at zero.
    public let counts: [Int64]
    /// The edges.
    public let edges: BucketEdges

    /// Noises `exact` (one count per bucket of `edges`) with `mechanism`.
    public init<Source: NoiseSource>(exact: [Int], edges: BucketEdges, mechanism: NoiseMechanism, using source: inout Source) throws(NoiseSourceError) {
        precondition(exact.count == edges.count, "one count per bucket")
        var counts: [Int64] = []
        counts.reserveCapacity(exact.count)
        for value in exact {
            counts.append(max(0, Int64(value) + (try mechanism.sample(using: &source))))
        }
        self.counts = counts
        self.edges = edges
    }

    /// The bucket bound of quantile `q` ∈ (0, 1]: the upper edge of the first bucket where the
    /// noisy cumulative count reaches q · total (the last edge for the open bucket); `nil` when
    /// the noisy histogram is empty.
    public func quantile(_ q: Double) -> Int64? {
        let total = counts.reduce(0, +)
        guard total > 0 else { return nil }
        let target = q * Double(total)
        var cumulative: Int64 = 0
        for (index, count) in counts.enumerated() {
            cumulative += count
            if Double(cumulative) >= target {
                return index < edges.upperEdges.count ? edges.upperEdges[index] : edges.upperEdges[edges.upperEdges.count - 1]
            }
        }
        return edges.upperEdges[edges.upperEdges.count - 1]
    }
}
