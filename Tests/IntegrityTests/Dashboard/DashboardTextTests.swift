@testable import Integrity
import Testing

@Suite struct DashboardTextTests {
    @Test func markupCharactersAreEscaped() {
        #expect(DashboardText.escape("<script>alert('x') & \"y\"</script>")
            == "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;")
        #expect(DashboardText.escape("Transport-integrity — ok") == "Transport-integrity — ok")
    }

    @Test(arguments: [
        (2.345, 1, "2.3"), (2.35, 1, "2.4"), (-0.04, 1, "0.0"), (-1.25, 1, "-1.3"), (7.0, 0, "7"), (0.05, 3, "0.050"),
        (1234.5, 2, "1234.50"), (Double.nan, 1, "–"),
    ])
    func fixedRoundsHalfAwayFromZero(value: Double, digits: Int, text: String) {
        #expect(DashboardText.fixed(value, digits: digits) == text)
    }

    @Test(arguments: [
        (0.0, "0"), (0.004, "0.004"), (0.35, "0.35"), (0.0012345, "0.0012"), (2.5, "2.5"), (2.0, "2"), (57.0, "57"),
        (1234.0, "1.2k"), (12_345.0, "12k"), (2_500_000.0, "2.5M"), (Double.infinity, "–"),
    ])
    func compactFiguresAreShort(value: Double, text: String) {
        #expect(DashboardText.compact(value) == text)
    }

    @Test(arguments: [(0.0123, "1.2%"), (0.0005, "0.05%"), (0.0, "0.0%"), (0.5, "50.0%")])
    func sharesArePercentages(share: Double, text: String) {
        #expect(DashboardText.percent(share) == text)
    }

    @Test func timesAreUTC() {
        #expect(DashboardText.dateTime(1_740_960_000_000) == "2025-03-03 00:00")
        #expect(DashboardText.dateTime(1_740_960_000_000 + 13 * 3_600_000 + 7 * 60_000 + 59_999) == "2025-03-03 13:07")
        #expect(DashboardText.shortDateTime(1_740_960_000_000) == "03-03 00:00")
        #expect(DashboardText.dateTime(-1) == "1969-12-31 23:59")
    }
}
