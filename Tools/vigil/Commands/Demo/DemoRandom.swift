import Stats

/// The demo's seeded randomness: a ``SplitMix64`` stream for plans made up front, and stateless
/// draws keyed by an event's identity (seed, user, business, counter) for reactions, so a user's
/// choice does not depend on the order in which messages happened to arrive.
struct DemoRandom {
    private var generator: SplitMix64

    /// A stream fixed by `seed`.
    init(seed: UInt64) { generator = SplitMix64(seed: seed) }

    /// A stream for one purpose, derived from `seed` and `labels`.
    init(seed: UInt64, _ labels: UInt64...) { generator = SplitMix64(seed: Self.mix(seed, labels)) }

    /// The next 64 bits.
    mutating func next() -> UInt64 { generator.next() }

    /// A number in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// True with probability `probability`.
    mutating func chance(_ probability: Double) -> Bool { unit() < probability }

    /// An integer in 0..<`bound` (0 when `bound` ≤ 1).
    mutating func below(_ bound: Int) -> Int {
        bound <= 1 ? 0 : Int(next() % UInt64(bound))
    }

    /// A number in `range`.
    mutating func uniform(_ range: ClosedRange<Double>) -> Double {
        range.lowerBound + unit() * (range.upperBound - range.lowerBound)
    }

    /// One of `items` (which must not be empty).
    mutating func pick<Item>(_ items: [Item]) -> Item { items[below(items.count)] }

    /// `values` shuffled (Fisher–Yates).
    mutating func shuffled<Item>(_ values: [Item]) -> [Item] {
        var items = values
        var index = items.count - 1
        while index > 0 {
            items.swapAt(index, below(index + 1))
            index -= 1
        }
        return items
    }

    /// A stateless draw in [0, 1) for the event named by `labels` under `seed`.
    static func unit(seed: UInt64, _ labels: UInt64...) -> Double {
        unit(seed: seed, labels: labels)
    }

    /// A stateless draw in [0, 1) for the event named by `labels` under `seed`.
    static func unit(seed: UInt64, labels: [UInt64]) -> Double {
        var stream = SplitMix64(seed: mix(seed, labels))
        return Double(stream.next() >> 11) * 0x1p-53
    }

    /// Folds labels into a seed (each step is one SplitMix64 output, so nearby labels diverge).
    private static func mix(_ seed: UInt64, _ labels: [UInt64]) -> UInt64 {
        var state = seed
        for label in labels {
            var stream = SplitMix64(seed: state ^ (label &* 0x9e37_79b9_7f4a_7c15))
            state = stream.next()
        }
        return state
    }
}
