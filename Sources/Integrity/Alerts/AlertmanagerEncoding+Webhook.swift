extension AlertmanagerEncoding {
    /// Alerts that share the values of the grouping labels — one webhook notification, as one
    /// Alertmanager aggregation group.
    public struct WebhookGroup: Sendable, Hashable {
        /// The grouping labels the alerts have (a `group_by` label an alert lacks is left out, as
        /// in Alertmanager), sorted by name.
        public var labels: [String: String]
        /// The alerts, one per label set (the latest transition of each), in Alertmanager's
        /// order (``AlertmanagerEncoding/precedes(_:_:)``).
        public var alerts: [Alert]

        /// A group.
        public init(labels: [String: String], alerts: [Alert]) {
            self.labels = labels
            self.alerts = alerts
        }

        /// `firing` if any alert fires, else `resolved`.
        public var status: Alert.Status {
            alerts.contains { $0.status == .firing } ? .firing : .resolved
        }
    }

    /// What a webhook payload says about its sender.
    public struct WebhookOptions: Sendable, Hashable {
        /// The receiver's name (`receiver`).
        public var receiver: String
        /// The sender's URL (`externalURL`).
        public var externalURL: String
        /// The route's key, the part of `groupKey` before the colon; `{}` is Alertmanager's root route.
        public var routeKey: String
        /// Each alert's `generatorURL` (Alertmanager writes "" when the alert had none).
        public var generatorURL: String
        /// At most this many alerts per payload, the rest counted in `truncatedAlerts`; 0 sends all
        /// (the webhook config's `max_alerts`).
        public var maximumAlerts: Int

        /// Options; the defaults mirror an Alertmanager root route with no `max_alerts`.
        public init(receiver: String = "vigil", externalURL: String = "", routeKey: String = "{}",
                    generatorURL: String = "", maximumAlerts: Int = 0) {
            self.receiver = receiver
            self.externalURL = externalURL
            self.routeKey = routeKey
            self.generatorURL = generatorURL
            self.maximumAlerts = maximumAlerts
        }
    }

    /// Alertmanager's default grouping for Vigil: one group per detector and business.
    public static let defaultGroupBy = ["alertname", "business"]

    /// Splits transitions into groups by the values of `groupBy` labels, groups in order of first
    /// appearance. Within a group a later transition of the same label set replaces the earlier
    /// one (Alertmanager keeps one alert per fingerprint).
    public static func groups(_ alerts: [Alert], by groupBy: [String] = defaultGroupBy) -> [WebhookGroup] {
        var keys: [[String: String]] = []
        var members: [[Alert]] = []
        var groupOfKey: [[String: String]: Int] = [:]
        var slotOfFingerprint: [String: (group: Int, position: Int)] = [:]
        for alert in alerts {
            let fingerprint = alert.fingerprintHex
            if let slot = slotOfFingerprint[fingerprint] {
                members[slot.group][slot.position] = alert
                continue
            }
            var key: [String: String] = [:]
            for name in groupBy {
                if let value = alert.labelValue(name) { key[name] = value }
            }
            let group: Int
            if let existing = groupOfKey[key] {
                group = existing
            } else {
                group = keys.count
                groupOfKey[key] = group
                keys.append(key)
                members.append([])
            }
            slotOfFingerprint[fingerprint] = (group, members[group].count)
            members[group].append(alert)
        }
        return zip(keys, members).map { WebhookGroup(labels: $0, alerts: $1.sorted(by: precedes)) }
    }

    /// The webhook payload version 4 for `group`:
    /// `{"receiver","status","alerts":[{"status","labels","annotations","startsAt","endsAt",
    /// "generatorURL","fingerprint"}],"groupLabels","commonLabels","commonAnnotations",
    /// "externalURL","version":"4","groupKey","truncatedAlerts"}` — Alertmanager's field order.
    ///
    /// Times are Go's `RFC3339Nano` (trailing zeros dropped); a firing alert's `endsAt` is Go's
    /// zero time, a resolved one's its resolution time. `fingerprint` is
    /// ``Alert/fingerprintHex``; `commonLabels` and `commonAnnotations` hold the pairs
    /// every alert of the group shares.
    public static func webhookPayload(_ group: WebhookGroup, options: WebhookOptions = WebhookOptions()) -> String {
        var alerts = group.alerts
        var truncated = 0
        if options.maximumAlerts > 0, alerts.count > options.maximumAlerts {
            truncated = alerts.count - options.maximumAlerts
            alerts.removeLast(truncated)
        }
        let groupLabels = group.labels.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }
        var fields = JSONFields()
        fields.string("receiver", options.receiver)
        fields.string("status", group.status.rawValue)
        fields.raw("alerts", "[" + alerts.map { webhookAlert($0, generatorURL: options.generatorURL) }.joined(separator: ",") + "]")
        fields.raw("groupLabels", labelObject(groupLabels))
        fields.raw("commonLabels", labelObject(common(group.alerts.map(\.allLabels))))
        fields.raw("commonAnnotations", labelObject(common(group.alerts.map(annotations(of:)))))
        fields.string("externalURL", options.externalURL)
        fields.string("version", "4")
        fields.string("groupKey", groupKey(routeKey: options.routeKey, labels: groupLabels))
        fields.integer("truncatedAlerts", Int64(truncated))
        return fields.text
    }

    /// `routeKey:{name="value", …}` — Alertmanager's aggregation-group key (Prometheus'
    /// `LabelSet.String()`: sorted, values quoted as Go's `%q` does).
    public static func groupKey(routeKey: String, labels: [(name: String, value: String)]) -> String {
        routeKey + ":{" + labels.map { $0.name + "=" + goQuoted($0.value) }.joined(separator: ", ") + "}"
    }

    /// Alertmanager's notification order (`types.AlertSlice`): by the `job` label, then
    /// `instance`, then fewer labels first, then label values in name order.
    public static func precedes(_ lhs: Alert, _ rhs: Alert) -> Bool {
        for key in ["job", "instance"] {
            let left = lhs.labelValue(key), right = rhs.labelValue(key)
            if let left, let right, left != right { return left < right }
            if (left == nil) != (right == nil) { return left != nil }
        }
        // Go's `LabelSet.Before` on two label sets of equal size, walking both sorted lists.
        let left = lhs.allLabels, right = rhs.allLabels
        if left.count != right.count { return left.count < right.count }
        for (leftLabel, rightLabel) in zip(left, right) {
            if leftLabel.name != rightLabel.name { return leftLabel.name > rightLabel.name }
            if leftLabel.value != rightLabel.value { return leftLabel.value < rightLabel.value }
        }
        return false
    }

    private static func webhookAlert(_ alert: Alert, generatorURL: String) -> String {
        var fields = JSONFields()
        fields.string("status", alert.status.rawValue)
        fields.raw("labels", labelObject(alert.allLabels))
        fields.raw("annotations", labelObject(annotations(of: alert)))
        fields.string("startsAt", RFC3339.format(milliseconds: alert.startsAt, fraction: .trimmed))
        switch alert.status {
        case .firing: fields.string("endsAt", RFC3339.goZeroTime)
        case .resolved: fields.string("endsAt", RFC3339.format(milliseconds: alert.endsAt ?? alert.time, fraction: .trimmed))
        }
        fields.string("generatorURL", generatorURL)
        fields.string("fingerprint", alert.fingerprintHex)
        return fields.text
    }

    /// The pairs present, with equal values, in every set (sorted by name).
    private static func common(_ sets: [[(name: String, value: String)]]) -> [(name: String, value: String)] {
        guard var shared = sets.first else { return [] }
        for set in sets.dropFirst() {
            shared.removeAll { pair in !set.contains { $0.name == pair.name && $0.value == pair.value } }
        }
        return shared
    }

    /// Go's `strconv.Quote` for the characters label values hold: backslash escapes for `"`, `\`
    /// and the named controls, `\xNN` for the other ASCII controls.
    static func goQuoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\u{07}": out += "\\a"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{0B}": out += "\\v"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16)
                out += "\\x" + (hex.count < 2 ? "0" : "") + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
