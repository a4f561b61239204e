import Foundation
import Testing

/// `vigil dashboard-sample` end to end: the analyze test's event file in, the dashboard page out.
@Suite struct DashboardSampleCommandTests {
    typealias D = DashboardFixture

    @Test func writesAPageWithChartsForEveryBusiness() throws {
        let directory = try VigilBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let events = directory.appendingPathComponent("events.jsonl")
        try Data(AnalyzeCommandTests.eventFile().utf8).write(to: events)
        let pagePath = directory.appendingPathComponent("page.html").path
        let result = try VigilBinary.run(["dashboard-sample", "--events", events.path, "--out", pagePath, "--every", "10"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardError.contains("line 6, column 92: unknown dir (expected b2u or u2b)"))
        #expect(result.standardError.contains("dashboard-sample: 128 events, 1 malformed, 0 dropped; 2 businesses, 2 charted"))

        let page = try String(contentsOfFile: pagePath, encoding: .utf8)
        #expect(page.hasPrefix("<!DOCTYPE html>") && !page.contains("http-equiv=\"refresh\""))
        #expect(!page.contains("+4477009"))  // no consumer number reaches the page
        for business in [AnalyzeCommandTests.retailer, AnalyzeCommandTests.blaster] {
            for series in ["send_rate", "business_initiated", "feedback"] {
                #expect(D.count("data-business=\"\(business)\" data-series=\"\(series)\"", in: page) == 1, "\(business) \(series)")
            }
        }
        // Events span t0 … t0 + 2 h + 7 ms: samples every 10 minutes (each before the events at its
        // moment), then one at the last event. The blaster's first event is at t0 + 1 h.
        #expect(page.contains("+14155550100 <small>13 samples</small>"))
        #expect(page.contains("+14155550177 <small>7 samples</small>"))
        // The blaster is FLAGGED and RED: listed first, its timeline turns red.
        let firstRow = try #require(page.ranges(of: "class=\"business-row\" data-business=\"").first)
        #expect(page[firstRow.upperBound...].hasPrefix(AnalyzeCommandTests.blaster))
        #expect(page.contains("data-row=\"quality\" data-value=\"RED\""))
    }

    @Test func badArgumentsAreRefusedWithOneLine() throws {
        let missing = try VigilBinary.run(["dashboard-sample", "--events", "x.jsonl"])
        #expect(missing.status == 2 && missing.standardError == "vigil: --out PAGE.html is required (see --help)\n")
        let interval = try VigilBinary.run(["dashboard-sample", "--events", "x.jsonl", "--out", "p.html", "--every", "0"])
        #expect(interval.status == 2 && interval.standardError.contains("--every must be in 1…1440, got 0"))
        let absent = try VigilBinary.run(["dashboard-sample", "--events", "/nonexistent/events.jsonl", "--out", "/nonexistent/p.html"])
        #expect(absent.status == 2 && absent.standardError.contains("cannot read /nonexistent/events.jsonl"))
        let help = try VigilBinary.run(["dashboard-sample", "--help"])
        #expect(help.status == 0 && help.standardOutput.hasPrefix("USAGE: vigil dashboard-sample --events FILE|- --out PAGE.html"))
    }
}
