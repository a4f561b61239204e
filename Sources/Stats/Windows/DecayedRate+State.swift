extension DecayedRate {
    /// The whole state of a rate — for snapshots that persist it and restore it exactly.
    public struct State: Sendable, Hashable {
        /// The decayed count at ``lastTime``.
        public var decayedCount: Double
        /// The time of the latest decay step, nil before the first event.
        public var lastTime: Int64?

        /// Wraps a state.
        public init(decayedCount: Double, lastTime: Int64?) {
            self.decayedCount = decayedCount
            self.lastTime = lastTime
        }
    }

    /// The rate's state (its time constant is configuration, not state).
    public var state: State { State(decayedCount: decayedCount, lastTime: lastTime) }

    /// A rate with time constant τ (> 0) in milliseconds resuming from `state`: every later
    /// ``record(weight:at:)`` and ``rate(at:per:)`` behaves exactly as on the rate `state` came from.
    public init(timeConstantMilliseconds: Double, state: State) {
        self.init(timeConstantMilliseconds: timeConstantMilliseconds)
        decayedCount = state.decayedCount
        lastTime = state.lastTime
    }
}
