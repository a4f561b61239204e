/// What `/metrics` shows beyond the analyzer's own state: counts kept by the host (event kinds,
/// malformed lines, report intake), the alerts firing now and the alert sink's counters. Every
/// field is optional in effect — left at its default, its families show zeros or nothing.
public struct MetricsExtras: Sendable {
    /// `version` of `vigil_build_info`.
    public var version: String
    /// Events by kind and feedback treatment (``EventCountingObserver/counts``).
    public var eventCounts: EventCounts?
    /// Event lines that did not parse.
    public var malformedLines: Int
    /// The alerts firing now, one per label set (resolved ones are ignored).
    public var activeAlerts: [Alert]
    /// Reports taken in.
    public var reportsAccepted: Int
    /// Reports refused, by reason (at most ``maximumLabelValues`` reasons; the rest are summed as `other`).
    public var reportsRejected: [String: Int]
    /// The alert sink's counters.
    public var alertDelivery: AlertDeliveryStatistics?

    /// The most distinct values a free-form label (`alertname`, a rejection `reason`) takes; the
    /// least frequent beyond are summed under `other`, so the exposition stays bounded whatever
    /// the input.
    public static let maximumLabelValues = 32

    /// Extras; all empty by default.
    public init(version: String = "dev", eventCounts: EventCounts? = nil, malformedLines: Int = 0, activeAlerts: [Alert] = [],
                reportsAccepted: Int = 0, reportsRejected: [String: Int] = [:], alertDelivery: AlertDeliveryStatistics? = nil) {
        self.version = version
        self.eventCounts = eventCounts
        self.malformedLines = malformedLines
        self.activeAlerts = activeAlerts
        self.reportsAccepted = reportsAccepted
        self.reportsRejected = reportsRejected
        self.alertDelivery = alertDelivery
    }

    /// `counts` with at most ``maximumLabelValues`` keys: the largest counts kept (ties by key),
    /// the others summed under `other`; sorted by key.
    static func bounded<Key: Hashable & Comparable>(_ counts: [Key: Int], other: Key) -> [(key: Key, count: Int)] {
        guard counts.count > maximumLabelValues else { return counts.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } }
        let ranked = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        var kept = Dictionary(uniqueKeysWithValues: ranked.prefix(maximumLabelValues - 1).map { ($0.key, $0.value) })
        kept[other, default: 0] += ranked.dropFirst(maximumLabelValues - 1).reduce(0) { $0 + $1.value }
        return kept.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}
