/// Velocity: business-to-user messages in the last 15 seconds, and how many went to users who
/// never wrote to the business. "An account that registered five minutes before attempting to
/// send 100 messages in 15 seconds is almost certain to be engaged in abuse" (WhatsApp, 2019):
/// the burst to strangers from a young number is critical; from an established number, a warning.
/// A flash sale to opted-in customers is a burst to people who wrote first: no alert.
///
/// 32 bytes.
struct VelocityDetector: Sendable, Hashable {
    private var sends = WindowCounter()
    private var coldSends = WindowCounter()

    /// Nothing seen.
    init() {}

    /// Counts a business-to-user message (cold: to a user who never wrote).
    @inline(__always)
    mutating func recordMessage(cold: Bool, at time: Int64, parameters: DetectionParameters) {
        sends.add(at: time, window: parameters.velocityWindow)
        if cold { coldSends.add(at: time, window: parameters.velocityWindow) }
    }

    /// The critical and warning conditions at `inputs.time`.
    func evaluate(_ inputs: DetectionInputs, parameters: DetectionParameters) -> (critical: AlertCondition, warning: AlertCondition) {
        let rules = parameters.rules.velocity
        let burst = sends.estimate(at: inputs.time, window: parameters.velocityWindow)
        guard burst > 0 else { return (.clear, .clear) }
        let coldShare = coldSends.estimate(at: inputs.time, window: parameters.velocityWindow) / burst
        let threshold = Double(rules.burstMessages)
        let breaching = burst >= threshold && coldShare >= rules.coldShare
        let holding = burst >= parameters.holding(threshold) && coldShare >= parameters.holding(rules.coldShare)
        let young = inputs.age <= parameters.youngNumber
        return (AlertCondition(value: burst, breaching: breaching && young, holding: holding),
                AlertCondition(value: burst, breaching: breaching && !young, holding: holding))
    }
}
