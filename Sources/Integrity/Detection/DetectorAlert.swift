/// Every alert the detectors can raise: a detector's name, one severity, and the labels that
/// tell apart alerts of the same name (so each has its own fingerprint and lifecycle).
enum DetectorAlert: Int, CaseIterable, Sendable {
    /// A young number bursting to strangers (the WhatsApp pattern).
    case velocityCritical
    /// An established number bursting to strangers.
    case velocityWarning
    /// Business-initiated users over the tier's limit.
    case massTierWarning
    /// Business-initiated users reaching a large share of the population.
    case massPopulationWarning
    /// … the share that means "messaging all users".
    case massPopulationCritical
    /// Cold fan-out.
    case coldFanOutWarning
    /// Cold fan-out by a number whose quality is already low.
    case coldFanOutCritical
    /// Negative feedback above the business's baseline.
    case feedbackWarning
    /// … with statistical confidence and enough events.
    case feedbackCritical
    /// Blocks and reports from users the business never reached.
    case unprovenFeedbackWarning

    /// The alert's name (Prometheus style).
    var name: String {
        switch self {
        case .velocityCritical, .velocityWarning: "VelocityBurst"
        case .massTierWarning, .massPopulationWarning, .massPopulationCritical: "MassMessaging"
        case .coldFanOutWarning, .coldFanOutCritical: "ColdFanOut"
        case .feedbackWarning, .feedbackCritical: "NegativeFeedbackSpike"
        case .unprovenFeedbackWarning: "UnprovenFeedback"
        }
    }

    /// Its severity.
    var severity: Alert.Severity {
        switch self {
        case .velocityCritical, .massPopulationCritical, .coldFanOutCritical, .feedbackCritical: .critical
        case .velocityWarning, .massTierWarning, .massPopulationWarning, .coldFanOutWarning, .feedbackWarning,
             .unprovenFeedbackWarning: .warning
        }
    }

    /// Labels beyond `alertname`, `business` and `severity`.
    var labels: [String: String] {
        switch self {
        case .velocityCritical, .velocityWarning: ["signal": "burst_15s"]
        case .massTierWarning: ["signal": "tier_usage"]
        case .massPopulationWarning, .massPopulationCritical: ["signal": "population_share"]
        case .coldFanOutWarning, .coldFanOutCritical: ["signal": "cold_messages"]
        case .feedbackWarning, .feedbackCritical: ["signal": "counted_feedback_rate"]
        case .unprovenFeedbackWarning: ["signal": "unproven_feedback"]
        }
    }

    /// One sentence for the alert's `value`.
    func summary(_ value: Double) -> String {
        let shown = value >= 100 ? String(Int(value.rounded())) : String(Double(Int((value * 1000).rounded())) / 1000)
        return switch self {
        case .velocityCritical: "\(shown) messages in 15 s, mostly to users who never wrote, from a newly seen number"
        case .velocityWarning: "\(shown) messages in 15 s, mostly to users who never wrote"
        case .massTierWarning: "business-initiated users in 24 h at \(shown) × the messaging limit"
        case .massPopulationWarning, .massPopulationCritical: "business-initiated users in 24 h are \(shown) of all active users"
        case .coldFanOutWarning: "\(shown) messages in the window to users who never contacted the business"
        case .coldFanOutCritical: "\(shown) messages in the window to users who never contacted the business, quality already low"
        case .feedbackWarning: "counted blocks and reports per delivered message at \(shown), above the business's baseline"
        case .feedbackCritical: "counted blocks and reports per delivered message at \(shown) (95 % lower bound above threshold)"
        case .unprovenFeedbackWarning: "\(shown) blocks and reports in the window from users never reached: likely report bombing (ignored for the rating)"
        }
    }
}

/// What one evaluation of a detector says about one of its alerts.
struct AlertCondition: Sendable, Hashable {
    /// The measured value (the alert's `value`).
    var value: Double
    /// Whether the firing threshold is crossed.
    var breaching: Bool
    /// Whether the value is above the lower (hysteresis) threshold: a firing alert stays firing.
    var holding: Bool

    /// Nothing to report.
    static let clear = AlertCondition(value: 0, breaching: false, holding: false)
}
