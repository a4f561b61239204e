import Glibc

/// How a ``DecayedPair`` decays: in steps of `step` milliseconds by precomputed factors
/// `e^(−k·step/τ)` (no `exp` on the per-event path), to zero after ten time constants.
struct DecayProfile: Sendable {
    /// The step in milliseconds (τ / 256).
    let step: Int64
    /// `factors[k]` = e^(−k·step/τ) for k < 2 560.
    let factors: [Double]

    /// A profile for time constant `tau` milliseconds.
    init(tau: Double) {
        let step = max(1, Int64(tau / 256))
        self.step = step
        factors = (0..<2560).map { k in Glibc.exp(-Double(Int64(k) * step) / tau) }
    }

    /// The factor over `steps` steps (0 beyond the table).
    @inline(__always)
    func factor(_ steps: Int64) -> Double { steps < Int64(factors.count) ? factors[Int(steps)] : 0 }
}

/// Two exponentially decayed sums sharing one clock (a rate's numerator and denominator):
/// 24 bytes, O(1) per update.
struct DecayedPair: Sendable, Hashable {
    /// Decayed events of interest (e.g. counted feedback).
    private(set) var events = 0.0
    /// Decayed exposures (e.g. deliveries).
    private(set) var exposures = 0.0
    /// The step index both sums are decayed to.
    private var stepIndex: Int64 = .min

    /// Empty sums.
    init() {}

    /// Adds to the sums at `time`.
    @inline(__always)
    mutating func add(events addedEvents: Double = 0, exposures addedExposures: Double = 0, at time: Int64, profile: DecayProfile) {
        let index = time / profile.step
        if index > stepIndex {
            if stepIndex != .min {
                let factor = profile.factor(index - stepIndex)
                events *= factor
                exposures *= factor
            }
            stepIndex = index
        }
        events += addedEvents
        exposures += addedExposures
    }

    /// Both sums decayed to `time` (read-only).
    func decayed(at time: Int64, profile: DecayProfile) -> (events: Double, exposures: Double) {
        guard stepIndex != .min else { return (0, 0) }
        let steps = time / profile.step - stepIndex
        let factor = steps > 0 ? profile.factor(steps) : 1
        return (events * factor, exposures * factor)
    }
}
