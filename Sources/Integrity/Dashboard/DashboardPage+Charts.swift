import Transport

extension DashboardPage {
    /// The series charted for every business, by `data-series` hook.
    static let chartedSeries = ["send_rate", "business_initiated", "feedback"]

    /// `<section id="charts">`: a card per tracked business in ``ListingKey`` order (by its newest
    /// sample), each with its three line charts and its timeline.
    static func chartsSection(_ history: SignalHistory, severity: [PhoneNumber: Alert.Severity], limit: Int) -> String {
        var html = "<section id=\"charts\"><h2>Per business over time</h2>\n"
        let tracked = history.businesses.sorted {
            ListingKey($0, sample: history.latest(for: $0), severity: severity[$0])
                .precedes(ListingKey($1, sample: history.latest(for: $1), severity: severity[$1]))
        }
        guard !tracked.isEmpty else { return html + "<p class=\"empty\">No sample yet.</p></section>\n" }
        html += "<div class=\"cards\">\n"
        for business in tracked.prefix(max(limit, 0)) {
            html += businessCard(business, samples: history.samples(for: business), severity: severity[business])
        }
        html += "</div>\n"
        if tracked.count > limit { html += "<p class=\"more\">… and \(tracked.count - max(limit, 0)) more tracked businesses.</p>\n" }
        return html + "</section>\n"
    }

    /// One business's card: heading, the charts of ``chartedSeries``, the timeline.
    static func businessCard(_ business: PhoneNumber, samples: [SignalSample], severity: Alert.Severity?) -> String {
        let number = DashboardText.escape(business.e164)
        var html = "<article class=\"card\" data-business=\"\(number)\"><h3>\(number)"
        if let severity {
            html += " <span class=\"badge\" style=\"background:\(DashboardPalette.color(of: severity))\">\(severity.rawValue)</span>"
        }
        html += " <small>\(samples.count) samples</small></h3>\n"
        for chart in charts(for: business, samples: samples) { html += chart.svg() + "\n" }
        html += BandTimeline(business: business, samples: samples).svg() + "\n"
        return html + "</article>\n"
    }

    /// The line charts of one business, in ``chartedSeries`` order.
    static func charts(for business: PhoneNumber, samples: [SignalSample]) -> [LineChart] {
        let domain = (samples.first?.time ?? 0)...(samples.last?.time ?? 0)
        func values(_ value: (SignalSample) -> Double?) -> [(time: Int64, value: Double?)] {
            samples.map { (time: $0.time, value: value($0)) }
        }
        return [
            LineChart(business: business, series: "send_rate", title: "send rate (msg/s)", format: .compact, timeDomain: domain, lines: [
                .init(key: "send_rate_1m", label: "1 min", color: DashboardPalette.primaryLine, values: values { $0.sendRate1m }),
                .init(key: "send_rate_1h", label: "1 h", color: DashboardPalette.secondaryLine, values: values { $0.sendRate1h }),
            ]),
            LineChart(business: business, series: "business_initiated", title: "business-initiated, 24 h", format: .compact,
                      timeDomain: domain, lines: [
                .init(key: "business_initiated_24h", label: "reached", color: DashboardPalette.primaryLine,
                      values: values { $0.businessInitiated24h }),
                .init(key: "tier_limit", label: "tier limit", color: DashboardPalette.limitLine, dashed: true, stepped: true,
                      values: values { $0.messagingLimitUsers.map(Double.init) }),
            ]),
            LineChart(business: business, series: "feedback", title: "block / report rate, 7 d", format: .percent, timeDomain: domain,
                      minimumCeiling: 0.01, lines: [
                .init(key: "block_rate_7d", label: "blocks", color: DashboardPalette.blockLine, values: values { $0.blockRate7d }),
                .init(key: "report_rate_7d", label: "reports", color: DashboardPalette.reportLine, values: values { $0.reportRate7d }),
            ]),
        ]
    }
}
