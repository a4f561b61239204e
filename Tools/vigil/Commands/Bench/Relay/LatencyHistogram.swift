/// Latencies in nanoseconds, counted in log-linear buckets: exact below 128 ns, then 64 buckets
/// per power of two, so a percentile is within 1.6 % of the true sample and recording costs no
/// memory per sample (the benchmark reports the process's peak RSS, which must not be the
/// histogram's). The maximum is kept exactly.
struct LatencyHistogram: Sendable {
    /// Values below this are counted exactly, one bucket each.
    private static let exactLimit = 128
    /// Buckets per power of two above `exactLimit` (2^6).
    private static let bucketsPerOctave = 64
    /// Enough buckets for every `UInt64`: magnitudes 7…63, 64 buckets each.
    private static let bucketCount = exactLimit + (63 - 6) * bucketsPerOctave

    private var counts = [UInt64](repeating: 0, count: LatencyHistogram.bucketCount)
    /// Samples recorded.
    private(set) var count: UInt64 = 0
    /// The largest sample, exactly.
    private(set) var maximum: UInt64 = 0

    /// Counts one latency.
    mutating func record(_ nanoseconds: UInt64) {
        counts[Self.bucket(of: nanoseconds)] += 1
        count += 1
        if nanoseconds > maximum { maximum = nanoseconds }
    }

    /// The latency at or below which a fraction `quantile` (0…1) of the samples lie: the middle of
    /// the bucket holding that rank, never above the maximum; 0 when empty.
    func percentile(_ quantile: Double) -> UInt64 {
        guard count > 0 else { return 0 }
        let rank = max(1, UInt64((quantile * Double(count)).rounded(.up)))
        var seen: UInt64 = 0
        for (index, bucketCount) in counts.enumerated() where bucketCount > 0 {
            seen += bucketCount
            if seen >= rank {
                let (low, width) = Self.range(ofBucket: index)
                return min(maximum, low + width / 2)
            }
        }
        return maximum
    }

    /// The bucket a value falls in.
    static func bucket(of value: UInt64) -> Int {
        if value < UInt64(exactLimit) { return Int(value) }
        let magnitude = 63 - value.leadingZeroBitCount // ≥ 7
        let shift = magnitude - 6 // value >> shift is in 64 ..< 128
        return exactLimit + (shift - 1) * bucketsPerOctave + Int(value >> UInt64(shift)) - bucketsPerOctave
    }

    /// The smallest value of a bucket and how many values it spans.
    static func range(ofBucket index: Int) -> (low: UInt64, width: UInt64) {
        if index < exactLimit { return (UInt64(index), 1) }
        let shift = (index - exactLimit) / bucketsPerOctave + 1
        let mantissa = UInt64((index - exactLimit) % bucketsPerOctave + bucketsPerOctave)
        return (mantissa << UInt64(shift), 1 << UInt64(shift))
    }
}
