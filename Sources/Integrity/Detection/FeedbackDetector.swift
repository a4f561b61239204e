/// Negative feedback against the business's own baseline: blocks and reports *counted* by the
/// analyzer (proof of contact: the business delivered to that user within 7 days; once per user
/// per 7 days) per sampled delivery, decayed over hours, compared with the same rate decayed over
/// days. Report bombing cannot move it — feedback without proof of contact is never counted.
///
/// The threshold is `max(rate_floor, baseline_factor × min(baseline, baseline_cap))`: a
/// business's normal level raises its own bar, but persistent abuse never becomes its own normal
/// (the cap). A warning needs the rate over the threshold on a few events; a critical alert needs
/// the Wilson lower bound of the rate over it on enough events, so a small business's unlucky
/// day (3 blocks among 70 users) is not an operator's emergency. Firing alerts hold while the
/// rate (warning) or its lower bound (critical, on at least half the minimum events) stays above
/// the hysteresis share of the threshold.
///
/// Both rates count in the analyzer's sample units (counted feedback and deliveries come from the
/// same sampled 7-day table), so sampling cancels out. 48 bytes.
struct FeedbackDetector: Sendable, Hashable {
    private var recent = DecayedPair()
    private var baseline = DecayedPair()

    /// Nothing seen.
    init() {}

    /// Counts a delivery to a user in the analyzer's sample.
    @inline(__always)
    mutating func recordDelivery(at time: Int64, parameters: DetectionParameters) {
        recent.add(exposures: 1, at: time, profile: parameters.feedbackRecent)
        baseline.add(exposures: 1, at: time, profile: parameters.feedbackBaseline)
    }

    /// Counts a counted block or report.
    @inline(__always)
    mutating func recordCountedFeedback(at time: Int64, parameters: DetectionParameters) {
        recent.add(events: 1, at: time, profile: parameters.feedbackRecent)
        baseline.add(events: 1, at: time, profile: parameters.feedbackBaseline)
    }

    /// The critical and warning conditions at `time`.
    func evaluate(at time: Int64, parameters: DetectionParameters) -> (critical: AlertCondition, warning: AlertCondition) {
        let rules = parameters.rules.feedback
        let (events, exposures) = recent.decayed(at: time, profile: parameters.feedbackRecent)
        guard events > 0 else { return (.clear, .clear) }
        let (baselineEvents, baselineExposures) = baseline.decayed(at: time, profile: parameters.feedbackBaseline)
        let baselineRate = baselineExposures > 0 ? baselineEvents / baselineExposures : 0
        let threshold = max(rules.rateFloor, rules.baselineFactor * min(baselineRate, rules.baselineCap))
        let rate = exposures > 0 ? events / exposures : 1
        let warning = AlertCondition(value: rate, breaching: rate >= threshold && events >= Double(rules.minimumWarning),
                                     holding: rate >= parameters.holding(threshold))
        // The lower bound (a square root) only where it can matter: a critical alert holds on at
        // least hysteresis × minimum_critical events.
        guard events >= parameters.holding(Double(rules.minimumCritical)) else { return (.clear, warning) }
        let lower = WilsonBound.lower(successes: events, trials: max(exposures, events), z: rules.confidenceZ)
        let critical = AlertCondition(value: rate, breaching: lower >= threshold && events >= Double(rules.minimumCritical),
                                      holding: lower >= parameters.holding(threshold))
        return (critical, warning)
    }
}

/// Blocks and reports from users the business never delivered to (sampled, over a window):
/// ignored by the rating and by ``FeedbackDetector``, but many of them at once mean a crowd is
/// report-bombing the business — a warning about the business being targeted, never critical.
///
/// 16 bytes.
struct UnprovenFeedbackDetector: Sendable, Hashable {
    private var unproven = WindowCounter()

    /// Nothing seen.
    init() {}

    /// Counts a block or report without proof of contact.
    @inline(__always)
    mutating func record(at time: Int64, parameters: DetectionParameters) {
        unproven.add(at: time, window: parameters.unprovenWindow)
    }

    /// The warning condition at `time`.
    func evaluate(at time: Int64, parameters: DetectionParameters) -> AlertCondition {
        let count = unproven.estimate(at: time, window: parameters.unprovenWindow)
        let threshold = Double(parameters.rules.unprovenFeedback.events)
        return AlertCondition(value: count, breaching: count >= threshold, holding: count >= parameters.holding(threshold))
    }
}
