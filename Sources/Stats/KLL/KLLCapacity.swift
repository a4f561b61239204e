/// Nominal level capacities of a KLL sketch, as DataSketches computes them.
///
/// A level at depth `d` below the top holds about `k · (2/3)^d` items, never fewer than
/// ``minimumWidth``; the items buffer of a sketch with `L` levels holds exactly the sum of its
/// levels' capacities, which is also where the serialized level offsets are measured from.
enum KLLCapacity {
    /// DataSketches' `m`: the smallest capacity of any level (serialized at byte 6).
    static let minimumWidth = 8

    /// The deepest level this format can describe; DataSketches refuses depths beyond 60.
    static let maxNumLevels = 61

    /// `3^0 ... 3^30`.
    private static let powersOfThree: [UInt64] = {
        var powers: [UInt64] = [1]
        for _ in 1...30 { powers.append(powers[powers.count - 1] * 3) }
        return powers
    }()

    /// The capacity of the level at `height` (0 = bottom) in a sketch with `numLevels` levels.
    static func levelCapacity(k: UInt16, numLevels: Int, height: Int) -> Int {
        let depth = numLevels - height - 1
        return max(minimumWidth, Int(scaled(k: UInt64(k), depth: depth)))
    }

    /// The size of the items buffer of a sketch with `numLevels` levels.
    static func totalCapacity(k: UInt16, numLevels: Int) -> Int {
        var total = 0
        for height in 0..<numLevels {
            total += levelCapacity(k: k, numLevels: numLevels, height: height)
        }
        return total
    }

    /// `1 + ⌊log₂ n⌋` (1 for n = 0): no sketch of `n` items has more levels than this.
    static func maxNumLevels(forN n: UInt64) -> Int {
        n == 0 ? 1 : UInt64.bitWidth - n.leadingZeroBitCount
    }

    /// `k · (2/3)^depth`, rounded half up; depths past 30 are applied in two halves (as
    /// DataSketches does up to 60, and safely beyond).
    private static func scaled(k: UInt64, depth: Int) -> UInt64 {
        if depth <= 30 { return scaledOnce(k: k, depth: depth) }
        let half = depth / 2
        return scaled(k: scaled(k: k, depth: half), depth: depth - half)
    }

    /// The single-step rounding: ((2k · 2^depth) / 3^depth + 1) / 2; 2k · 2^30 < 2^48 cannot overflow.
    private static func scaledOnce(k: UInt64, depth: Int) -> UInt64 {
        (((k << 1) << UInt64(depth)) / powersOfThree[depth] + 1) >> 1
    }
}
