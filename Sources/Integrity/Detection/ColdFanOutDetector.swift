/// Cold fan-out: business messages, over a window, to users who never wrote to the business
/// ("dozens of recipients who do not have the sender's account in their contacts"). On its own a
/// warning: a passcode sender's recipients are all cold and all expecting the code. It is judged
/// on the sender's history (WhatsApp, 2019): from a number whose quality rating is already YELLOW
/// or RED — its recipients block and report it — it is critical.
///
/// 16 bytes.
struct ColdFanOutDetector: Sendable, Hashable {
    private var coldSends = WindowCounter()

    /// Nothing seen.
    init() {}

    /// Counts a business message to a user who never wrote.
    @inline(__always)
    mutating func recordColdMessage(at time: Int64, parameters: DetectionParameters) {
        coldSends.add(at: time, window: parameters.coldWindow)
    }

    /// The critical and warning conditions at `inputs.time`.
    func evaluate(_ inputs: DetectionInputs, parameters: DetectionParameters) -> (critical: AlertCondition, warning: AlertCondition) {
        let cold = coldSends.estimate(at: inputs.time, window: parameters.coldWindow)
        guard cold > 0 else { return (.clear, .clear) }
        let threshold = Double(parameters.rules.coldFanOut.coldMessages)
        let warning = AlertCondition(value: cold, breaching: cold >= threshold, holding: cold >= parameters.holding(threshold))
        let lowQuality = inputs.rating == .yellow || inputs.rating == .red
        let critical = AlertCondition(value: cold, breaching: warning.breaching && lowQuality, holding: warning.holding && lowQuality)
        return (critical, warning)
    }
}
