import Foundation

/// An event rate that decays exponentially with time constant τ, for irregular arrivals.
///
/// The state is a decayed count `c`: between events it decays by `e^(−Δt/τ)`, i.e. an arrival
/// after Δt updates `c ← (1 − α)·c + w` with `α = 1 − e^(−Δt/τ)`. The rate is `c / τ` events per
/// millisecond (scaled by ``rate(at:per:)``). Time is an argument in milliseconds; events that
/// arrive out of order are added without decaying the state backwards.
public struct DecayedRate: Sendable, Equatable {
    /// Time constant τ in milliseconds.
    public let timeConstantMilliseconds: Double
    @usableFromInline var decayedCount: Double = 0
    @usableFromInline var lastTime: Int64?

    /// Creates a rate with time constant τ (> 0) in milliseconds, e.g. 60 000 for a 1-minute rate.
    public init(timeConstantMilliseconds: Double) {
        precondition(timeConstantMilliseconds > 0, "τ must be positive")
        self.timeConstantMilliseconds = timeConstantMilliseconds
    }

    /// Records `weight` events at `time`. Inlinable: callers record on every event.
    @inlinable
    public mutating func record(weight: Double = 1, at time: Int64) {
        if let last = lastTime, time > last {
            decayedCount *= Self.decay(milliseconds: Double(time - last), tau: timeConstantMilliseconds)
            lastTime = time
        } else if lastTime == nil {
            lastTime = time
        }
        decayedCount += weight
    }

    /// The decayed rate at `time`, in events per `unit` milliseconds (default: per second).
    public func rate(at time: Int64, per unit: Double = 1000) -> Double {
        guard let last = lastTime else { return 0 }
        let elapsed = Double(max(0, time - last))
        return decayedCount * Self.decay(milliseconds: elapsed, tau: timeConstantMilliseconds) / timeConstantMilliseconds * unit
    }

    @usableFromInline
    static func decay(milliseconds: Double, tau: Double) -> Double { exp(-milliseconds / tau) }
}

/// An exponentially weighted moving average for irregularly spaced observations:
/// `s ← s + α·(x − s)` with `α = 1 − e^(−Δt/τ)`; the first observation initializes `s`.
public struct IrregularEWMA: Sendable, Equatable {
    /// Time constant τ in milliseconds.
    public let timeConstantMilliseconds: Double
    /// The current average, `nil` before the first observation.
    public private(set) var value: Double?
    private var lastTime: Int64 = 0

    /// Creates an average with time constant τ (> 0) in milliseconds.
    public init(timeConstantMilliseconds: Double) {
        precondition(timeConstantMilliseconds > 0, "τ must be positive")
        self.timeConstantMilliseconds = timeConstantMilliseconds
    }

    /// Folds in an observation made at `time`.
    public mutating func observe(_ x: Double, at time: Int64) {
        guard let current = value else {
            value = x
            lastTime = time
            return
        }
        let elapsed = Double(max(0, time - lastTime))
        let alpha = 1 - DecayedRate.decay(milliseconds: elapsed, tau: timeConstantMilliseconds)
        value = current + alpha * (x - current)
        lastTime = max(lastTime, time)
    }
}
