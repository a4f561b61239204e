/// Partition selection with a noisy distinct-user count and a hard k floor.
///
/// A cell whose true distinct-user count is `n` is released iff
///
///     n ≥ k   and   (n − (k − 1)) + Z ≥ τ,     Z ~ DiscreteLaplace(L₀ / ε_sel),
///
/// where every user touches at most L₀ cells per day. Shifting the count by k − 1 turns the k
/// floor into the usual "zero users → never released" case: between neighbouring data sets that
/// differ in one user, a cell either passes the floor in both (then the decision is ε_sel-DP on
/// the shifted count, sensitivity ≤ 1 per cell and ≤ L₀ in ℓ₁) or has shifted count 1 in one and
/// is absent in the other; the one-user cell is released with probability P(1 + Z ≥ τ) =
/// α^(τ−1) / (1 + α), and τ is the smallest integer that makes L₀ times that at most δ_sel.
/// So selection is (ε_sel, δ_sel)-DP and no cell with fewer than k users can ever appear.
public struct PartitionThreshold: Sendable, Hashable {
    /// The floor on true distinct users.
    public let k: Int
    /// The threshold τ on the shifted noisy count.
    public let tau: Int64
    /// The noise on the shifted count.
    public let noise: DiscreteLaplace

    /// τ for `epsilon` and `delta` spent on selection, `maxPartitions` cells per user (L₀), floor `k`.
    /// - Throws: ``ExportError/invalidParameter(_:)`` unless ε > 0, 0 < δ < 1, L₀ ≥ 1, k ≥ 1.
    public init(epsilon: Epsilon, delta: Delta, maxPartitions: Int, k: Int) throws(ExportError) {
        guard k >= 1 else { throw .invalidParameter("k must be at least 1, got \(k)") }
        guard delta.units > 0, delta.units < Delta.unitDenominator else {
            throw .invalidParameter("partition selection needs 0 < δ < 1, got \(delta)")
        }
        guard let noise = DiscreteLaplace(sensitivity: maxPartitions, epsilon: epsilon) else {
            throw .invalidParameter("partition selection needs ε > 0 and L₀ ≥ 1 (ε = \(epsilon), L₀ = \(maxPartitions))")
        }
        self.k = k
        self.noise = noise
        // Smallest τ ≥ 1 with L₀ · α^(τ−1) / (1 + α) ≤ δ: τ − 1 ≥ ln(L₀ / (δ(1 + α))) / ln(1/α).
        let alpha = noise.alpha
        let needed = FloatingMath.log(Double(maxPartitions) / (delta.doubleValue * (1 + alpha))) / (Double(noise.denominator) / Double(noise.numerator))
        var tau = Int64(max(0, needed.rounded(.up))) + 1
        // Guard the closed form against rounding: step until the inequality holds exactly in Double.
        while tau > 1, Double(maxPartitions) * noise.upperTail(atLeast: tau - 1) > delta.doubleValue { tau += 1 }
        self.tau = tau
    }

    /// The probability that a cell with exactly one user above the floor is released.
    public var singleUserReleaseProbability: Double { tau <= 1 ? 1 : noise.upperTail(atLeast: tau - 1) }

    /// The smallest true user count released with probability ≥ 1/2: k − 1 + τ.
    public var medianReleaseSize: Int64 { Int64(k) - 1 + tau }

    /// The decision for one cell of `users` distinct users, drawing its noise; returns the noisy
    /// (unshifted) user count when released, `nil` when suppressed.
    public func select<Source: NoiseSource>(users: Int, using source: inout Source) throws(NoiseSourceError) -> Int64? {
        guard users >= k else { return nil }
        let shifted = Int64(users - (k - 1)) + (try noise.sample(using: &source))
        guard shifted >= tau else { return nil }
        return shifted + Int64(k - 1)
    }
}
