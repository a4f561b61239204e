/// Timeouts spread over consecutive connections, so that a flood of connections opened together
/// (idle relay connections, slowloris HTTP heads) does not expire in one event-loop turn: the
/// `sequence`-th connection waits `timeout × (1 + spread × f)`, with `f` in [0, 1) the fractional
/// part of `sequence / φ` (the golden-ratio Weyl sequence, which fills [0, 1) evenly for any run
/// of consecutive sequences).
enum SpreadTimeout {
    /// `timeout` stretched by the `sequence`-th fraction of `spread`.
    static func timeout(_ timeout: Duration, spread: Double, forConnection sequence: UInt64) -> Duration {
        // Multiplying by 2^64 / φ wraps by design: the fractional part of sequence / φ, kept to
        // the 53 bits a Double holds exactly.
        let fraction = Double((sequence &* 0x9e37_79b9_7f4a_7c15) >> 11) / 9_007_199_254_740_992  // 2^53
        return timeout * (1 + spread * fraction)
    }
}
