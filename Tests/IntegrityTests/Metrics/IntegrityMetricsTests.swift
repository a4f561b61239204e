@testable import Integrity
import Testing
import Transport

@Suite struct IntegrityMetricsTests {
    typealias F = Fixture

    /// Every sample line as (series, value).
    static func samples(_ text: String) -> [(series: String, value: Double)] {
        text.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap { line in
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { return nil }
            return (String(line[..<space]), value)
        }
    }

    static func value(_ series: String, in text: String) -> Double? {
        samples(text).first { $0.series == series }?.value
    }

    @Test func seriesStayBoundedUnderTenThousandBusinesses() {
        let analyzer = F.analyzer()
        let counter = EventCountingObserver()
        analyzer.observers.append(counter)
        var alerts: [Alert] = []
        for index in 0..<10_000 {
            let business = PhoneNumber(digits: 14_155_000_000 + UInt64(index))!
            let user = F.user(index)
            let time = F.t0 + Int64(index) * 10
            F.feed(analyzer, [F.b2u(time, user, business: business), F.delivered(time + 1, user, business: business)])
            if index % 100 == 0 { F.feed(analyzer, [F.block(time + 2, user, business: business)]) }
            alerts.append(Alert(name: "Detector\(index % 50)", business: business, severity: index % 3 == 0 ? .critical : .warning,
                                status: .firing, time: time, startsAt: time, summary: "s", value: 1))
        }
        let rejected = Dictionary(uniqueKeysWithValues: (0..<100).map { ("reason\($0)", $0 + 1) })
        let text = IntegrityMetrics.render(analyzer: analyzer, extra: MetricsExtras(eventCounts: counter.counts, activeAlerts: alerts,
                                                                                   reportsRejected: rejected, alertDelivery: AlertDeliveryStatistics()))
        let samples = Self.samples(text)
        // 64 alert series (32 names × 2 severities) and 32 rejection reasons are the bulk.
        #expect(samples.count <= 160, "\(samples.count) series")
        #expect(!text.contains("14155"), "a business number in the exposition")
        #expect(Self.value("vigil_integrity_businesses{state=\"active\"}", in: text) == 10_000)
        #expect(Self.value("vigil_integrity_events_by_kind_total{kind=\"message_b2u\"}", in: text) == 10_000)
        #expect(Self.value("vigil_integrity_events_by_kind_total{kind=\"block\"}", in: text) == 100)
        #expect(Self.value("vigil_integrity_feedback_total{kind=\"block\",treatment=\"counted\"}", in: text) == 100)
        #expect(Self.value("vigil_integrity_events_applied_total", in: text) == 20_100)
        let firing = samples.filter { $0.series.hasPrefix("vigil_integrity_alerts_firing{") }
        #expect(firing.count == 64 && firing.reduce(0) { $0 + $1.value } == 10_000)
        #expect(firing.contains { $0.series.contains("alertname=\"other\"") })
        let reasons = samples.filter { $0.series.hasPrefix("vigil_integrity_reports_rejected_total{") }
        #expect(reasons.count == 32 && reasons.reduce(0) { $0 + $1.value } == Double((1...100).reduce(0, +)))
        for family in ["quality_rating", "status", "messaging_limit"] {
            let sum = samples.filter { $0.series.hasPrefix("vigil_integrity_businesses_by_\(family){") }.reduce(0) { $0 + $1.value }
            #expect(sum == 10_000, "businesses by \(family)")
        }
    }

    @Test func admissionsAndRefusalsAgreeWithTheAnalyzer() {
        var rules = Rules()
        rules.admission.pairBurst = 2
        let analyzer = F.analyzer(rules: rules)
        let user = F.user(1)
        var refused = 0
        for step in 0..<5 {
            let time = F.t0 + Int64(step) * F.second
            if analyzer.admission(sender: F.business, recipient: user, category: .utility, time: time) != nil {
                refused += 1
            } else {
                F.feed(analyzer, [F.b2u(time, user, category: .utility)])
            }
        }
        let text = IntegrityMetrics.render(analyzer: analyzer)
        #expect(refused > 0)
        #expect(Self.value("vigil_integrity_admission_decisions_total{outcome=\"refused\"}", in: text) == Double(refused))
        #expect(Self.value("vigil_integrity_admission_decisions_total{outcome=\"allowed\"}", in: text) == Double(5 - refused))
        let byCode = Self.samples(text).filter { $0.series.hasPrefix("vigil_integrity_admission_refusals_total{") }
        #expect(byCode.count == 4 && byCode.reduce(0) { $0 + $1.value } == Double(refused))
        #expect(Self.value("vigil_integrity_events_dropped_total{reason=\"malformed\"}", in: text) == 0)
        #expect(!text.contains("vigil_alert_notifications_total"))  // no sink, no family
    }
}
