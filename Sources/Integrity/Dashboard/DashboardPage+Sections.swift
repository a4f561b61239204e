import Transport

extension DashboardPage {
    /// `<section id="overview">`: one row per business, in ``ListingKey`` order.
    static func overviewSection(_ signals: [BusinessSignals], severity: [PhoneNumber: Alert.Severity], alerts: [Alert], limit: Int) -> String {
        var html = "<section id=\"overview\"><h2>Businesses</h2>\n"
        guard !signals.isEmpty else { return html + "<p class=\"empty\">No business has sent or received anything yet.</p></section>\n" }
        var alertNames: [PhoneNumber: [Alert]] = [:]
        for alert in alerts where alert.status == .firing { alertNames[alert.business, default: []].append(alert) }
        let ordered = signals.sorted {
            ListingKey($0, severity: severity[$0.business]).precedes(ListingKey($1, severity: severity[$1.business]))
        }
        html += "<table id=\"overview-table\"><thead><tr><th>Business</th><th>Rating</th><th>Status</th><th>Tier</th>"
            + "<th>Business-initiated 24 h / limit</th><th>Send rate 1 min · 1 h (msg/s)</th><th>Block rate 7 d</th>"
            + "<th>Report rate 7 d</th><th>Alerts</th></tr></thead><tbody>\n"
        for business in ordered.prefix(max(limit, 0)) {
            html += overviewRow(business, alerts: alertNames[business.business] ?? [])
        }
        html += "</tbody></table>\n"
        if ordered.count > limit { html += "<p class=\"more\">… and \(ordered.count - max(limit, 0)) more businesses.</p>\n" }
        return html + "</section>\n"
    }

    private static func overviewRow(_ signals: BusinessSignals, alerts: [Alert]) -> String {
        let number = DashboardText.escape(signals.business.e164)
        var html = "<tr class=\"business-row\" data-business=\"\(number)\"><td class=\"number\">\(number)\(signals.dormant ? " <small>dormant</small>" : "")</td>"
        html += "<td>\(chip(signals.qualityRating.description, DashboardPalette.color(of: signals.qualityRating)))</td>"
        html += "<td>\(chip(signals.status.description, DashboardPalette.color(of: signals.status)))</td>"
        html += "<td>\(chip(signals.messagingLimit.description, DashboardPalette.color(of: signals.messagingLimit)))</td>"
        let reached = DashboardText.compact(signals.businessInitiated24h)
        if let limit = signals.messagingLimitUsers, limit > 0 {
            let share = min(max(signals.businessInitiated24h / Double(limit), 0), 1)
            html += "<td>\(reached) / \(DashboardText.compact(Double(limit)))"
                + "<span class=\"meter\(share >= 0.9 ? " full" : "")\"><span style=\"width:\(DashboardText.fixed(share * 100, digits: 0))%\"></span></span></td>"
        } else {
            html += "<td>\(reached) / unlimited</td>"
        }
        html += "<td>\(DashboardText.compact(signals.sendRate1m)) · \(DashboardText.compact(signals.sendRate1h))</td>"
        html += "<td>\(DashboardText.percent(signals.blockRate7d))</td><td>\(DashboardText.percent(signals.reportRate7d))</td><td>"
        for alert in alerts.sorted(by: { ($0.severity, $1.name) > ($1.severity, $0.name) }) {
            html += "<span class=\"badge\" data-severity=\"\(alert.severity.rawValue)\" style=\"background:\(DashboardPalette.color(of: alert.severity))\">"
                + "\(DashboardText.escape(alert.name))</span>"
        }
        return html + "</td></tr>\n"
    }

    /// A coloured label.
    static func chip(_ text: String, _ color: String) -> String {
        "<span class=\"chip\" style=\"background:\(color);color:\(DashboardPalette.textColor(on: color))\">\(DashboardText.escape(text))</span>"
    }

    /// `<section id="alerts">`: firing alerts first, critical before warnings, newest first.
    static func alertsSection(_ alerts: [Alert], limit: Int) -> String {
        var html = "<section id=\"alerts\"><h2>Alerts</h2>\n"
        guard !alerts.isEmpty else { return html + "<p class=\"empty\">No alert is firing.</p></section>\n" }
        let ordered = alerts.sorted { a, b in
            if a.status != b.status { return a.status == .firing }
            if a.severity != b.severity { return a.severity > b.severity }
            if a.startsAt != b.startsAt { return a.startsAt > b.startsAt }
            return a.fingerprint < b.fingerprint
        }
        html += "<ul class=\"alerts\">\n"
        for alert in ordered.prefix(max(limit, 0)) {
            let color = DashboardPalette.color(of: alert.severity)
            html += "<li class=\"alert\" data-status=\"\(alert.status.rawValue)\" data-severity=\"\(alert.severity.rawValue)\""
                + " data-business=\"\(DashboardText.escape(alert.business.e164))\" data-fingerprint=\"\(alert.fingerprintHex)\">"
            html += "<span class=\"badge\" style=\"background:\(color)\">\(alert.severity.rawValue)</span> "
            html += "<strong>\(DashboardText.escape(alert.name))</strong> on <span class=\"number\">\(DashboardText.escape(alert.business.e164))</span> "
            html += "<span class=\"muted\">\(alert.status.rawValue) since \(DashboardText.dateTime(alert.startsAt))"
            if let endsAt = alert.endsAt { html += ", ended \(DashboardText.dateTime(endsAt))" }
            html += " · value \(DashboardText.escape(DashboardText.compact(alert.value)))</span>"
            let labels = alert.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            if !labels.isEmpty { html += " <code>\(DashboardText.escape(labels))</code>" }
            html += "<div>\(DashboardText.escape(alert.summary))</div></li>\n"
        }
        html += "</ul>\n"
        if ordered.count > limit { html += "<p class=\"more\">… and \(ordered.count - max(limit, 0)) more alerts.</p>\n" }
        return html + "</section>\n"
    }

    /// `<section id="visibility">`: who sees which data.
    static func visibilitySection(_ table: VisibilityTable) -> String {
        var html = "<section id=\"visibility\"><h2>Who sees what</h2>\n<table id=\"visibility-table\"><thead><tr>"
            + "<th>Data</th><th>Held by</th><th>Rest of the platform (exports)</th><th>Transport-integrity</th></tr></thead><tbody>\n"
        for row in table.rows {
            html += "<tr class=\"visibility-row\" data-row=\"\(DashboardText.escape(row.data))\"><th>\(DashboardText.escape(row.data))</th>"
                + "<td>\(DashboardText.escape(row.heldBy))</td>\(verdictCell(row.exports))\(verdictCell(row.transportIntegrity))</tr>\n"
        }
        return html + "</tbody></table></section>\n"
    }

    /// A cell coloured by whether its text says yes or no.
    private static func verdictCell(_ text: String) -> String {
        let verdict = text.hasPrefix("yes") ? "yes" : text.hasPrefix("no") ? "no" : "other"
        return "<td class=\"verdict-\(verdict)\">\(DashboardText.escape(text))</td>"
    }

    /// `<section id="export-preview">`: the first rows of the anonymized export.
    static func exportSection(_ rows: [(label: String, value: String)], limit: Int) -> String {
        var html = "<section id=\"export-preview\"><h2>Anonymized export (preview)</h2>\n"
        guard !rows.isEmpty else { return html + "<p class=\"empty\">No export has been computed yet.</p></section>\n" }
        html += "<table id=\"export-table\"><tbody>\n"
        for row in rows.prefix(max(limit, 0)) {
            html += "<tr class=\"export-row\"><th>\(DashboardText.escape(row.label))</th><td>\(DashboardText.escape(row.value))</td></tr>\n"
        }
        html += "</tbody></table>\n"
        if rows.count > limit { html += "<p class=\"more\">… and \(rows.count - max(limit, 0)) more rows in the export.</p>\n" }
        return html + "</section>\n"
    }
}
