/// Critical alerts scored against a simulation's labels, per business: a business is *predicted
/// abusive* when at least one critical alert started firing for it at any time of the replay (an
/// operator is paged once per business, however late in the week); the truth is the label's
/// `expect_critical`. Precision and recall follow; for the true positives, the delay from the
/// label window's start to the first critical alert says how early the abuse was caught.
public struct DetectionScore: Sendable, Equatable {
    /// One business's outcome.
    public struct Business: Sendable, Equatable {
        /// Its label.
        public var label: SimulationLabels.Business
        /// Time of its first critical firing transition, if any.
        public var firstCritical: Int64?
        /// The name of that alert.
        public var firstCriticalName: String?
        /// Warning firing transitions.
        public var warnings: Int
        /// Critical firing transitions.
        public var criticals: Int

        /// Whether a critical alert fired.
        public var predictedAbusive: Bool { firstCritical != nil }
        /// First critical alert minus the window's start (ms), for a predicted business.
        public var delay: Int64? { firstCritical.map { $0 - label.window.lowerBound } }
    }

    /// Every labeled business, in label order.
    public let businesses: [Business]

    /// Scores `alerts` (transitions, any order) against `labels`. Alerts for unlabeled businesses
    /// are ignored.
    public init(labels: SimulationLabels, alerts: [Alert]) {
        var byBusiness: [String: Business] = [:]
        for label in labels.businesses {
            byBusiness[label.business] = Business(label: label, firstCritical: nil, firstCriticalName: nil, warnings: 0, criticals: 0)
        }
        for alert in alerts where alert.status == .firing {
            guard var entry = byBusiness[alert.business.e164] else { continue }
            switch alert.severity {
            case .warning:
                entry.warnings += 1
            case .critical:
                entry.criticals += 1
                if entry.firstCritical.map({ alert.time < $0 }) ?? true {
                    entry.firstCritical = alert.time
                    entry.firstCriticalName = alert.name
                }
            }
            byBusiness[alert.business.e164] = entry
        }
        businesses = labels.businesses.compactMap { byBusiness[$0.business] }
    }

    /// Abusive businesses with a critical alert.
    public var truePositives: Int { businesses.count { $0.label.expectCritical && $0.predictedAbusive } }
    /// Honest businesses with a critical alert.
    public var falsePositives: Int { businesses.count { !$0.label.expectCritical && $0.predictedAbusive } }
    /// Abusive businesses without one.
    public var falseNegatives: Int { businesses.count { $0.label.expectCritical && !$0.predictedAbusive } }
    /// Abusive businesses.
    public var abusive: Int { businesses.count { $0.label.expectCritical } }
    /// Warning firing transitions over all businesses.
    public var warnings: Int { businesses.reduce(0) { $0 + $1.warnings } }

    /// TP / (TP + FP); nil when nothing was predicted abusive.
    public var precision: Double? { Self.ratio(truePositives, truePositives + falsePositives) }
    /// TP / (TP + FN); nil when no business is abusive.
    public var recall: Double? { Self.ratio(truePositives, truePositives + falseNegatives) }

    /// Counts of several scores added up (micro-average).
    public static func pooled(_ scores: [DetectionScore]) -> (truePositives: Int, falsePositives: Int, falseNegatives: Int,
                                                             precision: Double?, recall: Double?) {
        let tp = scores.reduce(0) { $0 + $1.truePositives }
        let fp = scores.reduce(0) { $0 + $1.falsePositives }
        let fn = scores.reduce(0) { $0 + $1.falseNegatives }
        return (tp, fp, fn, ratio(tp, tp + fp), ratio(tp, tp + fn))
    }

    private static func ratio(_ part: Int, _ whole: Int) -> Double? { whole == 0 ? nil : Double(part) / Double(whole) }
}
