/// The detection rules turned into what the per-event code needs: windows in milliseconds and
/// decay tables — computed once per engine.
struct DetectionParameters: Sendable {
    let rules: Rules.Detection
    /// Tier limits, to compute tier usage.
    let tierRules: Rules
    let evaluationInterval: Int64
    let pendingFor: Int64
    let velocityPendingFor: Int64
    let resolveAfter: Int64
    let velocityWindow: Int64 = 15_000
    let youngNumber: Int64
    let coldWindow: Int64
    let unprovenWindow: Int64
    let feedbackRecent: DecayProfile
    let feedbackBaseline: DecayProfile

    init(rules: Rules) {
        let detection = rules.detection
        self.rules = detection
        tierRules = rules
        evaluationInterval = Int64(detection.evaluationIntervalMilliseconds)
        pendingFor = Int64(detection.forSeconds * 1000)
        velocityPendingFor = Int64(detection.velocity.forSeconds * 1000)
        resolveAfter = Int64(detection.resolveAfterSeconds * 1000)
        youngNumber = Int64(detection.velocity.youngNumberMinutes * 60_000)
        coldWindow = max(1, Int64(detection.coldFanOut.windowMinutes * 60_000))
        unprovenWindow = max(1, Int64(detection.unprovenFeedback.windowMinutes * 60_000))
        feedbackRecent = DecayProfile(tau: detection.feedback.windowHours * 3_600_000)
        feedbackBaseline = DecayProfile(tau: detection.feedback.baselineDays * 86_400_000)
    }

    /// Prometheus's `for` of `alert`.
    @inline(__always)
    func pendingFor(_ alert: DetectorAlert) -> Int64 {
        alert == .velocityCritical || alert == .velocityWarning ? velocityPendingFor : pendingFor
    }

    /// The firing threshold scaled by the hysteresis share: the holding threshold.
    @inline(__always)
    func holding(_ threshold: Double) -> Double { threshold * rules.hysteresis }
}
