#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Stats

/// The simulation's source of randomness: `Stats`' seeded `SplitMix64` and the distributions the
/// workloads draw from.
///
/// Every draw consumes a fixed number of 64-bit words for a given outcome, so a generator's stream
/// — and with it the output — is fixed by the seed alone.
struct SimulationRandom: Sendable {
    private var generator: SplitMix64

    /// A generator whose stream is fixed by `seed`.
    init(seed: UInt64) { generator = SplitMix64(seed: seed) }

    /// The generator for one independent stream of a simulation: mixing the stream number into the
    /// seed keeps streams apart, so adding a business never changes what another one does.
    static func stream(_ stream: UInt64, of seed: UInt64) -> SimulationRandom {
        SimulationRandom(seed: SimulationHash.mix(seed ^ SimulationHash.mix(stream &+ 0x5eed)))
    }

    /// The next 64 random bits.
    mutating func next() -> UInt64 { generator.next() }

    /// Uniform in [0, 1) with 53 random bits.
    mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// True with probability `p`.
    mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// Uniform in 0..<`count`; `count` must be positive. The modulo bias is below 2⁻⁴⁰ for the
    /// sizes used here.
    mutating func below(_ count: Int) -> Int {
        precondition(count > 0, "empty range")
        return Int(next() % UInt64(count))
    }

    /// Uniform in `range`.
    mutating func uniform(_ range: ClosedRange<Double>) -> Double {
        range.lowerBound + (range.upperBound - range.lowerBound) * unit()
    }

    /// Exponential with the given mean.
    mutating func exponential(mean: Double) -> Double { -mean * log(1 - unit()) }

    /// Standard normal (Box–Muller, one of the pair).
    mutating func normal() -> Double {
        let radius = (-2 * log(1 - unit())).squareRoot()
        return radius * cos(2 * Double.pi * unit())
    }

    /// Log-normal with the given median and shape.
    mutating func logNormal(median: Double, sigma: Double) -> Double { median * exp(sigma * normal()) }

    /// Poisson with the given mean: Knuth's product method below 30, a rounded normal above.
    mutating func poisson(mean: Double) -> Int {
        guard mean > 0 else { return 0 }
        if mean < 30 {
            let limit = exp(-mean)
            var product = unit()
            var count = 0
            while product > limit {
                count += 1
                product *= unit()
            }
            return count
        }
        return max(0, Int((mean + mean.squareRoot() * normal()).rounded()))
    }

    /// Triangular on [0, 1] with its mode at `mode`: a crowd that builds up fast and fades slowly.
    mutating func triangular(mode: Double) -> Double {
        let u = unit()
        return u < mode ? (u * mode).squareRoot() : 1 - ((1 - u) * (1 - mode)).squareRoot()
    }

    /// One value of `weights`, with probability proportional to its weight.
    mutating func pick<Value>(_ weights: SimulationWeights<Value>) -> Value { weights.value(at: unit()) }
}

/// A finite distribution: values with relative weights.
struct SimulationWeights<Value: Sendable>: Sendable {
    private let values: [Value]
    private let cumulative: [Double]

    /// The distribution giving each value a probability proportional to its weight; weights must be
    /// non-negative with a positive sum.
    init(_ entries: [(Value, Double)]) {
        precondition(!entries.isEmpty, "no values")
        var total = 0.0
        var cumulative: [Double] = []
        for (_, weight) in entries {
            precondition(weight >= 0, "negative weight")
            total += weight
            cumulative.append(total)
        }
        precondition(total > 0, "weights sum to zero")
        values = entries.map(\.0)
        self.cumulative = cumulative.map { $0 / total }
    }

    /// The value whose cumulative interval holds `u` ∈ [0, 1).
    func value(at u: Double) -> Value {
        var low = 0
        var high = cumulative.count - 1
        while low < high {
            let middle = (low + high) / 2
            if u < cumulative[middle] { high = middle } else { low = middle + 1 }
        }
        return values[low]
    }
}

/// Stateless hashing for per-user traits (engagement) and stream seeds.
enum SimulationHash {
    /// SplitMix64's finalizer: a bijection on 64-bit words that scatters every input bit.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// A value in [0, 1) fixed by `value` and `salt`.
    static func unit(_ value: Int, salt: UInt64) -> Double {
        Double(mix(UInt64(truncatingIfNeeded: value) ^ salt) >> 11) * 0x1.0p-53
    }
}
