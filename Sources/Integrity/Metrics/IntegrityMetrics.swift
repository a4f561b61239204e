/// The analyzer's `/metrics`: a bounded set of series whatever the number of businesses — labels
/// come from fixed vocabularies (event kinds, ratings, statuses, tiers, Meta codes, severities)
/// or are capped (``MetricsExtras/maximumLabelValues``); a business or consumer number is never a
/// label.
///
/// Rendering takes ``IntegrityAnalyzer/snapshot(at:)``, O(businesses) — fine for a scrape every
/// few seconds, not for every event. Like the snapshot, it evaluates due policy timers, so the
/// analyzer's change stream may gain the changes a later event would have found. Call it on the
/// analyzer's thread.
public enum IntegrityMetrics {
    /// The exposition text (``PrometheusExposition/contentType``).
    public static func render(analyzer: IntegrityAnalyzer, extra: MetricsExtras = MetricsExtras()) -> String {
        var out = PrometheusExposition()
        out.family("vigil_build_info", .gauge, help: "Always 1; the version of the vigil build.")
        out.sample(["version": extra.version], 1)
        out.family("vigil_integrity_event_time_seconds", .gauge, help: "The latest event time seen (Unix seconds; 0 before the first event).")
        out.sample(Double(analyzer.now ?? 0) / 1000)
        writeEvents(analyzer.statistics, extra: extra, into: &out)
        let snapshot = analyzer.snapshot()
        writeAdmissions(analyzer.statistics, snapshot: snapshot, into: &out)
        writeBusinesses(snapshot, active: analyzer.activeBusinessCount, into: &out)
        writeAlerts(extra, into: &out)
        writeReports(extra, into: &out)
        if let delivery = extra.alertDelivery { writeDelivery(delivery, into: &out) }
        return out.text
    }

    private static func writeEvents(_ statistics: AnalyzerStatistics, extra: MetricsExtras, into out: inout PrometheusExposition) {
        out.family("vigil_integrity_events_applied_total", .counter, help: "Events applied to per-business state.")
        out.sample(Double(statistics.events))
        if let counts = extra.eventCounts {
            out.family("vigil_integrity_events_by_kind_total", .counter, help: "Events applied, by kind.")
            for kind in EventCounts.Kind.allCases { out.sample(["kind": kind.rawValue], Double(counts.count(of: kind))) }
            out.family("vigil_integrity_feedback_total", .counter,
                       help: "Blocks and reports applied, by how they were treated (only counted ones weigh on quality).")
            for (kind, isBlock) in [("block", true), ("report", false)] {
                for treatment in EventCounts.Treatment.allCases {
                    out.sample(["kind": kind, "treatment": treatment.rawValue], Double(counts.feedback(block: isBlock, treatment)))
                }
            }
        }
        out.family("vigil_integrity_events_dropped_total", .counter, help: "Events not applied, by reason.")
        out.sample(["reason": "malformed"], Double(extra.malformedLines))
        out.sample(["reason": "out_of_range"], Double(statistics.outOfRange))
        out.sample(["reason": "key_destroyed"], Double(statistics.tooOld))
        out.sample(["reason": "key_failure"], Double(statistics.keyFailures))
        out.family("vigil_integrity_relay_events_ignored_total", .counter,
                   help: "Relay events with no integrity event (consumer to consumer, control).")
        out.sample(Double(statistics.withoutEvent))
    }

    private static func writeAdmissions(_ statistics: AnalyzerStatistics, snapshot: [BusinessSignals], into out: inout PrometheusExposition) {
        out.family("vigil_integrity_admission_decisions_total", .counter, help: "Admission questions answered, by outcome.")
        out.sample(["outcome": "allowed"], Double(statistics.admissions - statistics.refusals))
        out.sample(["outcome": "refused"], Double(statistics.refusals))
        var byCode: [Int: Int] = [:]
        for business in snapshot {
            for (code, count) in business.refusals { byCode[code, default: 0] += count }
        }
        out.family("vigil_integrity_admission_refusals_total", .counter, help: "Refused business messages, by Meta error code.")
        for code in refusalCodes { out.sample(["code": String(code)], Double(byCode[code] ?? 0)) }
    }

    /// Meta's codes for refusals: policy block, spam restriction or messaging limit, pair rate, throughput.
    static let refusalCodes = [368, 130_429, 131_048, 131_056]

    private static func writeBusinesses(_ snapshot: [BusinessSignals], active: Int, into out: inout PrometheusExposition) {
        out.family("vigil_integrity_businesses", .gauge, help: "Businesses known, active or dormant (idle past the eviction period).")
        out.sample(["state": "active"], Double(active))
        out.sample(["state": "dormant"], Double(snapshot.count - active))
        var ratings = [QualityRating: Int](), statuses = [NumberStatus: Int](), tiers = [MessagingTier: Int]()
        for business in snapshot {
            ratings[business.qualityRating, default: 0] += 1
            statuses[business.status, default: 0] += 1
            tiers[business.messagingLimit, default: 0] += 1
        }
        out.family("vigil_integrity_businesses_by_quality_rating", .gauge, help: "Businesses by quality rating.")
        for rating in QualityRating.allCases { out.sample(["quality_rating": rating.description], Double(ratings[rating] ?? 0)) }
        out.family("vigil_integrity_businesses_by_status", .gauge, help: "Businesses by number status.")
        for status in NumberStatus.allCases { out.sample(["status": status.description], Double(statuses[status] ?? 0)) }
        out.family("vigil_integrity_businesses_by_messaging_limit", .gauge, help: "Businesses by messaging-limit tier.")
        for tier in MessagingTier.allCases { out.sample(["messaging_limit": tier.description], Double(tiers[tier] ?? 0)) }
    }

    private static func writeAlerts(_ extra: MetricsExtras, into out: inout PrometheusExposition) {
        let firing = extra.activeAlerts.filter { $0.status == .firing }
        let names = Set(MetricsExtras.bounded(Dictionary(firing.map { ($0.name, 1) }, uniquingKeysWith: +), other: "other").map(\.key))
        var series: [String: [Alert.Severity: Int]] = [:]
        for alert in firing {
            series[names.contains(alert.name) ? alert.name : "other", default: [:]][alert.severity, default: 0] += 1
        }
        out.family("vigil_integrity_alerts_firing", .gauge, help: "Alerts firing now, by detector and severity.")
        for name in series.keys.sorted() {
            for severity in Alert.Severity.allCases {
                guard let count = series[name]?[severity] else { continue }
                out.sample(["alertname": name, "severity": severity.rawValue], Double(count))
            }
        }
    }

    private static func writeReports(_ extra: MetricsExtras, into out: inout PrometheusExposition) {
        out.family("vigil_integrity_reports_accepted_total", .counter, help: "Spam reports taken in.")
        out.sample(Double(extra.reportsAccepted))
        out.family("vigil_integrity_reports_rejected_total", .counter, help: "Spam reports refused, by reason.")
        for (reason, count) in MetricsExtras.bounded(extra.reportsRejected, other: "other") {
            out.sample(["reason": reason], Double(count))
        }
    }

    private static func writeDelivery(_ delivery: AlertDeliveryStatistics, into out: inout PrometheusExposition) {
        out.family("vigil_alert_notifications_total", .counter, help: "Alert transitions handed to the HTTP sink, by fate.")
        out.sample(["outcome": "delivered"], Double(delivery.delivered))
        out.sample(["outcome": "rejected"], Double(delivery.rejected))
        out.sample(["outcome": "abandoned"], Double(delivery.abandoned))
        out.sample(["outcome": "dropped"], Double(delivery.dropped + delivery.droppedAfterClose))
        out.family("vigil_alert_notification_requests_total", .counter, help: "HTTP requests the alert sink made, retries included.")
        out.sample(Double(delivery.requests))
        out.family("vigil_alert_notification_failed_requests_total", .counter, help: "Alert sink requests that failed and were retried.")
        out.sample(Double(delivery.failedAttempts))
        out.family("vigil_alert_notification_resends_total", .counter, help: "Firing alerts posted again so Alertmanager keeps them active.")
        out.sample(Double(delivery.resent))
    }
}
