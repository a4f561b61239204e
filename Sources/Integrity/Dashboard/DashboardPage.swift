import Transport

/// The dashboard of `vigil serve` and `vigil demo --open`: one self-contained HTML page — inline
/// CSS, inline SVG drawn here, no script and no external asset — with an overview table per
/// business, live alerts, small-multiple charts per business (send rate, business-initiated reach
/// against the tier, block and report rates, a quality/status/tier timeline), the visibility table
/// and a preview of the anonymized export. It reloads itself with `<meta http-equiv="refresh">`.
///
/// Pure: the same inputs give the same bytes. Everything shown is HTML-escaped. The page's size is
/// bounded by ``Options``: at most so many overview rows, charted businesses (each chart at most
/// the history's samples per business), alerts and export rows. Measured: 192 KB for 30 businesses
/// with 12 charted at up to 224 samples (`vigil dashboard-sample` on `vigil simulate --scenario
/// mixed --scale 0.05`); six polylines of 240 points make about 17 KB per charted business.
///
/// Hooks for DOM checks: `#overview`, `#alerts`, `#charts`, `#visibility` and `#export-preview`
/// sections; `svg.chart[data-business][data-series]` with `polyline.line[data-line]`;
/// `svg.timeline` with `rect.band[data-row][data-value]`; `tr.business-row`, `li.alert`,
/// `tr.visibility-row`, `tr.export-row`.
public enum DashboardPage {
    /// What the page shows at most, and how it refreshes.
    public struct Options: Sendable, Hashable {
        /// The page title.
        public var title = "Vigil — integrity dashboard"
        /// Seconds between reloads (nil: a static page, e.g. written to a file).
        public var refreshSeconds: Int? = 5
        /// Businesses listed in the overview table at most (the rest are counted).
        public var maximumOverviewRows = 50
        /// Businesses charted at most.
        public var maximumChartedBusinesses = 12
        /// Alerts listed at most.
        public var maximumAlerts = 50
        /// Export preview rows shown at most.
        public var maximumExportRows = 50

        /// The defaults.
        public init() {}
    }

    /// The whole page.
    ///
    /// - Parameters:
    ///   - history: the sampled series to chart.
    ///   - signals: the analyzer's snapshot now (the overview table).
    ///   - alerts: the active alerts (firing first; resolved ones are shown as such).
    ///   - exportPreview: a few rows of the anonymized export, as label and value text.
    ///   - visibility: the visibility table.
    ///   - generatedAt: the page's moment (ms since the Unix epoch).
    ///   - options: limits and refresh.
    public static func render(
        history: SignalHistory, signals: [BusinessSignals], alerts: [Alert],
        exportPreview: [(label: String, value: String)], visibility: VisibilityTable = .seed,
        generatedAt: Int64, options: Options = Options()
    ) -> String {
        let severity = alertSeverity(alerts)
        var html = header(options: options, signals: signals, alerts: alerts, history: history, generatedAt: generatedAt)
        html += overviewSection(signals, severity: severity, alerts: alerts, limit: options.maximumOverviewRows)
        html += alertsSection(alerts, limit: options.maximumAlerts)
        html += chartsSection(history, severity: severity, limit: options.maximumChartedBusinesses)
        html += visibilitySection(visibility)
        html += exportSection(exportPreview, limit: options.maximumExportRows)
        html += "<footer>Metadata only: no message content and no consumer number reaches this page. "
            + "Counts of users are estimates (exact until a business's table samples).</footer>\n</main>\n</body>\n</html>\n"
        return html
    }

    /// The highest severity of the firing alerts of each business.
    static func alertSeverity(_ alerts: [Alert]) -> [PhoneNumber: Alert.Severity] {
        var severity: [PhoneNumber: Alert.Severity] = [:]
        for alert in alerts where alert.status == .firing {
            severity[alert.business] = max(severity[alert.business] ?? alert.severity, alert.severity)
        }
        return severity
    }

    /// Where a business is listed: the ones an operator should look at first come first.
    struct ListingKey {
        /// The business.
        var business: PhoneNumber
        /// The highest severity of its firing alerts.
        var severity: Alert.Severity?
        /// Its status.
        var status: NumberStatus
        /// Its quality rating.
        var rating: QualityRating
        /// Its 1-hour send rate.
        var sendRate: Double

        /// The key of `signals`.
        init(_ signals: BusinessSignals, severity: Alert.Severity?) {
            self.init(business: signals.business, severity: severity, status: signals.status, rating: signals.qualityRating,
                      sendRate: signals.sendRate1h)
        }

        /// The key of the newest sample of `business` (a business without samples sorts last).
        init(_ business: PhoneNumber, sample: SignalSample?, severity: Alert.Severity?) {
            self.init(business: business, severity: severity, status: sample?.status ?? .connected,
                      rating: sample?.qualityRating ?? .unknown, sendRate: sample?.sendRate1h ?? 0)
        }

        /// A key from its parts (a rate that is not finite counts as 0).
        init(business: PhoneNumber, severity: Alert.Severity?, status: NumberStatus, rating: QualityRating, sendRate: Double) {
            self.business = business
            self.severity = severity
            self.status = status
            self.rating = rating
            self.sendRate = sendRate.isFinite ? sendRate : 0
        }

        /// Whether `self` is listed before `other`: critical alerts, then warnings; then
        /// RESTRICTED, FLAGGED, CONNECTED; then RED, YELLOW, GREEN, unrated; then the faster
        /// sender; then the lower number.
        func precedes(_ other: ListingKey) -> Bool {
            let alertRank = severity.map { $0 == .critical ? 2 : 1 } ?? 0
            let otherAlertRank = other.severity.map { $0 == .critical ? 2 : 1 } ?? 0
            if alertRank != otherAlertRank { return alertRank > otherAlertRank }
            if status != other.status { return status.rawValue > other.status.rawValue }
            if rating != other.rating { return rating.rawValue > other.rating.rawValue }
            if sendRate != other.sendRate { return sendRate > other.sendRate }
            return business.digits < other.business.digits
        }
    }

    private static func header(options: Options, signals: [BusinessSignals], alerts: [Alert], history: SignalHistory, generatedAt: Int64) -> String {
        let firing = alerts.filter { $0.status == .firing }
        let critical = firing.filter { $0.severity == .critical }.count
        var html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        if let seconds = options.refreshSeconds { html += "<meta http-equiv=\"refresh\" content=\"\(max(seconds, 1))\">\n" }
        html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        html += "<title>\(DashboardText.escape(options.title))</title>\n<style>\(stylesheet)</style>\n</head>\n<body>\n<main>\n"
        html += "<header><h1>\(DashboardText.escape(options.title))</h1><p class=\"summary\" id=\"summary\">"
        html += "<span data-count=\"businesses\">\(signals.count) businesses</span> · "
        html += "<span data-count=\"tracked\">\(history.businesses.count) charted</span> · "
        html += "<span data-count=\"firing\" class=\"\(firing.isEmpty ? "" : "hot")\">\(firing.count) alerts firing (\(critical) critical)</span> · "
        html += "generated \(DashboardText.dateTime(generatedAt)) UTC"
        if let seconds = options.refreshSeconds { html += " · refreshes every \(max(seconds, 1)) s" }
        return html + "</p></header>\n"
    }
}
