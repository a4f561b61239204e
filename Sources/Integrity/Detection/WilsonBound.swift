import Glibc

/// Confidence bounds on a proportion (Wilson score interval): how low a block rate can be given
/// the sample it was measured on — so that 3 blocks among 70 users (a small honest business's
/// bad day) do not weigh like 300 among 7 000.
enum WilsonBound {
    /// The lower bound of the Wilson interval for `successes` out of `trials` at `z` (0 with no
    /// trials; the proportion is clamped to 1).
    static func lower(successes: Double, trials: Double, z: Double) -> Double {
        guard trials > 0 else { return 0 }
        let p = min(1, max(0, successes / trials))
        let z2 = z * z
        let centre = p + z2 / (2 * trials)
        let spread = z * sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials))
        return max(0, (centre - spread) / (1 + z2 / trials))
    }
}
