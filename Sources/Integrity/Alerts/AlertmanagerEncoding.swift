/// Alerts in Prometheus Alertmanager's wire formats: the body of `POST /api/v2/alerts` (this
/// file) and the webhook payload version 4 (`AlertmanagerEncoding+Webhook.swift`). Pure
/// functions of their inputs: the caller passes the wall-clock time.
///
/// Every alert carries the labels `alertname`, `business`, `severity` and its extra ``Alert/labels``
/// (Alertmanager identifies and deduplicates alerts by label set, and rejects label names outside
/// `[a-zA-Z_][a-zA-Z0-9_]*` with 400), and the annotations `summary` and `value`.
public enum AlertmanagerEncoding {
    /// How long a firing alert posted to Alertmanager stays firing without being posted again:
    /// four resend intervals of one minute, Prometheus' convention (`endsAt = now + 4 × resend
    /// delay`), so a sender that stops re-posting lets its alerts resolve by themselves.
    public static let defaultFiringValidity: Int64 = 240_000

    /// A JSON array for `POST /api/v2/alerts` (the OpenAPI `postableAlerts`):
    /// `[{"labels":{…},"annotations":{"summary":…,"value":…},"startsAt":…,"endsAt":…}]`, times
    /// in RFC 3339 with milliseconds, UTC.
    ///
    /// - A firing alert's `endsAt` is `max(now, startsAt) + firingValidity`: Alertmanager keeps it
    ///   active until then and expects it re-posted before (``HTTPAlertSink`` resends). Vigil's
    ///   alert times are event time; the `max` keeps `endsAt` after `startsAt` when event time runs
    ///   ahead of the wall clock (Alertmanager refuses alerts that end before they start).
    /// - A resolved alert's `endsAt` is its resolution time (``Alert/endsAt``, else ``Alert/time``);
    ///   Alertmanager marks it resolved once that instant has passed.
    /// - `generatorURL` is sent when given (the schema requires a URI, so an empty one is omitted).
    public static func postableAlerts(_ alerts: [Alert], now: Int64, firingValidity: Int64 = defaultFiringValidity,
                                      generatorURL: String? = nil) -> String {
        var out = "["
        for (position, alert) in alerts.enumerated() {
            if position > 0 { out += "," }
            var fields = JSONFields()
            fields.raw("labels", labelObject(alert.allLabels))
            fields.raw("annotations", labelObject(annotations(of: alert)))
            fields.string("startsAt", RFC3339.format(milliseconds: alert.startsAt))
            fields.string("endsAt", RFC3339.format(milliseconds: endsAt(of: alert, now: now, firingValidity: firingValidity)))
            if let generatorURL, !generatorURL.isEmpty { fields.string("generatorURL", generatorURL) }
            out += fields.text
        }
        return out + "]"
    }

    /// The `endsAt` posted for `alert` (see ``postableAlerts(_:now:firingValidity:generatorURL:)``).
    public static func endsAt(of alert: Alert, now: Int64, firingValidity: Int64 = defaultFiringValidity) -> Int64 {
        switch alert.status {
        case .firing: max(now, alert.startsAt) + firingValidity
        case .resolved: alert.endsAt ?? alert.time
        }
    }

    /// The annotations, sorted by name: `summary` (the detector's sentence) and `value` (the
    /// measured value, in the shortest decimal form; `NaN`, `+Inf`, `-Inf` when not finite).
    public static func annotations(of alert: Alert) -> [(name: String, value: String)] {
        [(name: "summary", value: alert.summary), (name: "value", value: annotationNumber(alert.value))]
    }

    /// A JSON object of string values, keys in the given order (pass sorted pairs: Go's encoder,
    /// and so Alertmanager, writes maps with sorted keys).
    static func labelObject(_ pairs: [(name: String, value: String)]) -> String {
        "{" + pairs.map { JSONFields.quote($0.name) + ":" + JSONFields.quote($0.value) }.joined(separator: ",") + "}"
    }

    private static func annotationNumber(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
        return JSONFields.number(value)
    }
}

extension Alert {
    /// The value of the label `name` (`alertname`, `business`, `severity` or an extra label).
    public func labelValue(_ name: String) -> String? {
        switch name {
        case "alertname": self.name
        case "business": business.e164
        case "severity": severity.rawValue
        default: labels[name]
        }
    }
}
