import Transport

/// The detectors and their alerts as an ``IntegrityObserver``: install it in
/// ``IntegrityAnalyzer/observers`` and every applied event moves the detectors' counters; due
/// evaluations step each alert's ``AlertLifecycle``, and the transitions (firing, resolved) go to
/// ``sinks`` in event-time order. Keeps the currently firing alerts, deduplicated by fingerprint
/// (what `/v1/alerts` serves).
///
/// Open alerts of a business that fell silent are re-evaluated every minute of event time (call
/// ``advance(to:)`` when time moves without events); at the end of a replay they stay firing
/// unless ``finish(at:resolvingOpenAlerts:)`` is asked to resolve them.
///
/// Not `Sendable`: it lives on the analyzer's thread, like the analyzer.
public final class AlertEngine: IntegrityObserver {
    /// Where transitions go.
    public var sinks: [any AlertSink]
    /// Transition counts since the start.
    public private(set) var counts = AlertCounts()
    /// Firing alerts by fingerprint.
    public private(set) var firing: [UInt64: Alert] = [:]
    private var core: DetectionCore
    private var transitions: [Alert] = []

    /// An engine with the detection thresholds of `rules` (validated), delivering to `sinks`.
    public init(rules: Rules = Rules(), sinks: [any AlertSink] = []) throws(RulesError) {
        try rules.validate()
        self.sinks = sinks
        core = DetectionCore(rules: rules)
    }

    /// `IntegrityObserver`: one applied event.
    public func observe(_ event: PseudonymizedEvent, outcome: EventOutcome, counters: LiveCounters) {
        core.observe(event, outcome: outcome, counters: counters, into: &transitions)
        if !transitions.isEmpty { publish() }
    }

    /// Moves event time to `time` with no event: open alerts are re-evaluated there (and resolve
    /// if their condition has stayed under the hysteresis threshold long enough).
    public func advance(to time: Int64) {
        core.advance(to: time, into: &transitions)
        if !transitions.isEmpty { publish() }
    }

    /// The end of a stream at `time` (default: the latest event time): a last evaluation, and with
    /// `resolvingOpenAlerts` every alert still firing is resolved at `time`.
    public func finish(at time: Int64? = nil, resolvingOpenAlerts: Bool = false) {
        guard let end = time ?? (core.now == .min ? nil : core.now) else { return }
        core.advance(to: end, into: &transitions)
        if resolvingOpenAlerts { core.resolveAll(at: end, into: &transitions) }
        if !transitions.isEmpty { publish() }
    }

    /// The firing alerts, by business then name then severity.
    public var activeAlerts: [Alert] {
        firing.values.sorted { ($0.business.digits, $0.name, $0.severity.rawValue) < ($1.business.digits, $1.name, $1.severity.rawValue) }
    }

    /// The firing alerts grouped by the values of `labelNames` (Alertmanager's `group_by`, e.g.
    /// `["business"]` or `["alertname"]`); groups sorted by their label values.
    public func activeAlerts(groupedBy labelNames: [String]) -> [AlertGroup] {
        var groups: [[String]: [Alert]] = [:]
        for alert in activeAlerts {
            let all = Dictionary(alert.allLabels, uniquingKeysWith: { first, _ in first })
            groups[labelNames.map { all[$0] ?? "" }, default: []].append(alert)
        }
        return groups.keys.sorted { $0.lexicographicallyPrecedes($1) }.map { key in
            AlertGroup(labels: Dictionary(uniqueKeysWithValues: zip(labelNames, key)), alerts: groups[key] ?? [])
        }
    }

    /// Businesses with detector state.
    public var trackedBusinessCount: Int { core.businessCount }

    /// The platform's active users over 24 hours as the detectors see them (refreshed every 10
    /// minutes of event time).
    public var populationEstimate: Double { core.populationEstimate }

    /// Applies the transitions to the firing set (a firing alert already firing, or a resolution
    /// of one not firing, is a duplicate and dropped), counts them and hands them to the sinks.
    private func publish() {
        var delivered: [Alert] = []
        delivered.reserveCapacity(transitions.count)
        for alert in transitions {
            let fingerprint = alert.fingerprint
            switch alert.status {
            case .firing:
                guard firing[fingerprint] == nil else { continue }
                firing[fingerprint] = alert
            case .resolved:
                guard firing.removeValue(forKey: fingerprint) != nil else { continue }
            }
            counts.count(alert)
            delivered.append(alert)
        }
        transitions.removeAll(keepingCapacity: true)
        guard !delivered.isEmpty else { return }
        for sink in sinks { sink.deliver(delivered) }
    }
}

/// Firing alerts that share the values of some labels.
public struct AlertGroup: Sendable, Hashable {
    /// The grouping labels and their values.
    public var labels: [String: String]
    /// The group's alerts.
    public var alerts: [Alert]
}

/// How many transitions an ``AlertEngine`` has delivered.
public struct AlertCounts: Sendable, Hashable {
    /// Firing transitions by severity.
    public private(set) var fired: [Alert.Severity: Int] = [:]
    /// Resolved transitions.
    public private(set) var resolved = 0
    /// Firing transitions by alert name and severity (`"VelocityBurst/critical"`).
    public private(set) var firedByName: [String: Int] = [:]

    /// Nothing counted.
    public init() {}

    /// Counts one transition.
    public mutating func count(_ alert: Alert) {
        switch alert.status {
        case .firing:
            fired[alert.severity, default: 0] += 1
            firedByName["\(alert.name)/\(alert.severity.rawValue)", default: 0] += 1
        case .resolved:
            resolved += 1
        }
    }
}
