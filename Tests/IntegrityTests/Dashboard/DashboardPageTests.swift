@testable import Integrity
import Testing
import Transport

@Suite struct DashboardPageTests {
    typealias D = DashboardFixture
    static let now: Int64 = 1_740_960_000_000

    /// `count` businesses (rates 1…count) sampled `samples` times a minute apart.
    static func history(businesses count: Int, samples: Int, cap: Int = 24) -> (SignalHistory, [BusinessSignals]) {
        var history = SignalHistory(samplesPerBusiness: 240, maximumBusinesses: cap)
        var signals: [BusinessSignals] = []
        for step in 0..<samples {
            signals = (1...count).map { D.signals(D.business($0), rate: Double($0 * (step + 1)), reached: Double(step * 10)) }
            history.record(signals, at: now + Int64(step) * 60_000)
        }
        return (history, signals)
    }

    static func render(_ history: SignalHistory, _ signals: [BusinessSignals], alerts: [Alert] = [],
                       export: [(label: String, value: String)] = [], options: DashboardPage.Options = .init()) -> String {
        DashboardPage.render(history: history, signals: signals, alerts: alerts, exportPreview: export, generatedAt: now, options: options)
    }

    @Test func everyShownBusinessHasOneChartPerSeriesAndATimeline() {
        let (history, signals) = Self.history(businesses: 3, samples: 5)
        let page = Self.render(history, signals)
        #expect(D.count("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\"", in: page) == 9)
        for index in 1...3 {
            let number = D.business(index).e164
            for series in DashboardPage.chartedSeries {
                #expect(D.count("data-business=\"\(number)\" data-series=\"\(series)\"", in: page) == 1, "\(number) \(series)")
            }
            #expect(D.count("class=\"timeline\" data-business=\"\(number)\"", in: page) == 1)
        }
        // Send rate (2 lines), reach and limit, blocks and reports: 6 polylines of 5 points each.
        #expect(D.count("<polyline", in: page) == 18)
        #expect(!page.contains("no samples yet"))
    }

    @Test func chartedBusinessesAreCappedAndTheRestCounted() {
        let (history, signals) = Self.history(businesses: 5, samples: 3)
        var options = DashboardPage.Options()
        options.maximumChartedBusinesses = 2
        options.maximumOverviewRows = 3
        let page = Self.render(history, signals, options: options)
        #expect(D.count("class=\"chart\"", in: page) == 6)
        // The fastest senders are charted and listed first.
        #expect(page.contains("data-business=\"+14155550005\" data-series=\"send_rate\""))
        #expect(page.contains("data-business=\"+14155550004\" data-series=\"send_rate\""))
        #expect(!page.contains("data-business=\"+14155550003\" data-series"))
        #expect(page.contains("… and 3 more tracked businesses."))
        #expect(D.count("class=\"business-row\"", in: page) == 3)
        #expect(page.contains("… and 2 more businesses."))
    }

    @Test func alertingBusinessesComeFirstWithTheirBadges() throws {
        let (history, signals) = Self.history(businesses: 3, samples: 2)
        let slow = D.business(1)
        let page = Self.render(history, signals, alerts: [D.alert(slow, name: "ReportBombing", severity: .warning)])
        let rows = page.ranges(of: "class=\"business-row\" data-business=\"")
        let first = try #require(rows.first)
        #expect(page[first.upperBound...].hasPrefix(slow.e164))
        #expect(page.contains(">ReportBombing</span>"))
        #expect(D.count("<li class=\"alert\"", in: page) == 1)
        #expect(page.contains("1 alerts firing (0 critical)"))
        let firstCard = try #require(page.ranges(of: "<article class=\"card\" data-business=\"").first)
        #expect(page[firstCard.upperBound...].hasPrefix(slow.e164))
    }

    @Test func everythingShownIsEscaped() {
        let (history, signals) = Self.history(businesses: 1, samples: 2)
        let hostile = "<script>alert(\"x\")</script>"
        var alert = D.alert(D.business(1), name: "Mass<b>", summary: hostile)
        alert.labels = ["signal": "<img src=x>"]
        let visibility = VisibilityTable(rows: [.init(data: hostile, heldBy: "a & b", exports: "no", transportIntegrity: "yes")])
        let page = DashboardPage.render(history: history, signals: signals, alerts: [alert],
                                        exportPreview: [(label: hostile, value: "<i>3</i>")], visibility: visibility, generatedAt: Self.now)
        #expect(!page.contains("<script"))
        #expect(!page.contains("<img"))
        #expect(!page.contains("<b>") && !page.contains("<i>"))
        #expect(page.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"))
        #expect(page.contains("Mass&lt;b&gt;"))
        #expect(page.contains("a &amp; b"))
        #expect(page.contains("&lt;i&gt;3&lt;/i&gt;"))
    }

    @Test func anEmptyAnalyzerRendersEverySection() {
        let page = DashboardPage.render(history: SignalHistory(), signals: [], alerts: [], exportPreview: [], generatedAt: Self.now)
        #expect(page.hasPrefix("<!DOCTYPE html>") && page.hasSuffix("</html>\n"))
        for id in ["overview", "alerts", "charts", "visibility", "export-preview"] {
            #expect(page.contains("<section id=\"\(id)\">"), "\(id)")
        }
        #expect(page.contains("No business has sent or received anything yet."))
        #expect(page.contains("No alert is firing."))
        #expect(page.contains("No sample yet."))
        #expect(page.contains("No export has been computed yet."))
        #expect(!page.contains("<svg"))
        #expect(D.count("class=\"visibility-row\"", in: page) == 6)
        #expect(page.contains("0 businesses") && page.contains("generated 2025-03-03 00:00 UTC"))
    }

    @Test func theVisibilityTableIsTheSeeds() {
        let page = DashboardPage.render(history: SignalHistory(), signals: [], alerts: [], exportPreview: [], generatedAt: Self.now)
        let rows = ["Message content", "Consumer phone number", "Non-identifiable statistics", "Integrity signals per business",
                    "Business information", "Billing per business"]
        #expect(VisibilityTable.seed.rows.map(\.data) == rows)
        for row in rows { #expect(page.contains("<tr class=\"visibility-row\" data-row=\"\(row)\">")) }
        #expect(page.contains("<th>Rest of the platform (exports)</th><th>Transport-integrity</th>"))
        #expect(page.contains("<td class=\"verdict-yes\">yes (pseudonymized inside Integrity)</td>"))
    }

    @Test func theExportPreviewIsListedAndCapped() {
        var options = DashboardPage.Options()
        options.maximumExportRows = 2
        let rows: [(label: String, value: String)] = [("country=GB", "1200"), ("country=IN", "900"), ("country=BR", "40")]
        let page = Self.render(SignalHistory(), [], export: rows, options: options)
        #expect(D.count("<tr class=\"export-row\">", in: page) == 2)
        #expect(page.contains("<tr class=\"export-row\"><th>country=GB</th><td>1200</td></tr>"))
        #expect(page.contains("… and 1 more rows in the export."))
    }

    @Test func thePageRefreshesUnlessStatic() {
        let live = Self.render(SignalHistory(), [])
        #expect(live.contains("<meta http-equiv=\"refresh\" content=\"5\">"))
        var options = DashboardPage.Options()
        options.refreshSeconds = nil
        #expect(!Self.render(SignalHistory(), [], options: options).contains("http-equiv=\"refresh\""))
    }

    @Test func troubledNumbersAreListedBeforeFasterHealthyOnes() throws {
        var restricted = D.signals(D.business(1), rate: 0.1, rating: .red)
        restricted.status = .restricted
        var flagged = D.signals(D.business(2), rate: 0.2, rating: .red)
        flagged.status = .flagged
        let yellow = D.signals(D.business(3), rate: 0.3, rating: .yellow)
        let fast = D.signals(D.business(4), rate: 9)
        let slow = D.signals(D.business(5), rate: 1)
        let page = Self.render(SignalHistory(), [fast, slow, yellow, flagged, restricted],
                               alerts: [D.alert(D.business(5), severity: .warning)])
        let order = page.ranges(of: "class=\"business-row\" data-business=\"").map { page[$0.upperBound...].prefix(12) }
        #expect(order == ["+14155550005", "+14155550001", "+14155550002", "+14155550003", "+14155550004"])
    }

    @Test func theOverviewShowsTheTierUseAndRates() {
        var signals = D.signals(D.business(1), rate: 2.5, reached: 240, limit: 250, rating: .yellow)
        signals.blockRate7d = 0.0123
        let page = Self.render(SignalHistory(), [signals])
        #expect(page.contains("<td>240 / 250<span class=\"meter full\"><span style=\"width:96%\"></span></span></td>"))
        #expect(page.contains(">YELLOW</span>"))
        #expect(page.contains("<td>1.2%</td>"))
        #expect(page.contains("<td>2.5 · 2.5</td>"))
    }

    @Test func elementsAreBalanced() {
        let (history, signals) = Self.history(businesses: 4, samples: 6)
        let page = Self.render(history, signals, alerts: [D.alert(D.business(2))], export: [("a", "1")])
        for tag in ["svg", "table", "section", "article", "tr", "td", "text", "rect", "ul", "li", "span"] {
            #expect(D.count("<\(tag) ", in: page) + D.count("<\(tag)>", in: page) == D.count("</\(tag)>", in: page), "\(tag)")
        }
    }
}
