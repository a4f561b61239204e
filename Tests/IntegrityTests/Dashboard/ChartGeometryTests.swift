@testable import Integrity
import Testing
import Transport

/// Values to pixels: the default frame's plot runs x 46…300 and y 128 (zero) … 22 (the ceiling).
@Suite struct ChartGeometryTests {
    typealias D = DashboardFixture

    @Test(arguments: [
        (0.0, 1.0), (-3.0, 1.0), (Double.nan, 1.0), (Double.infinity, 1.0),
        (1.0, 1.0), (1.2, 2.0), (2.2, 4.0), (3.0, 4.0), (4.5, 5.0), (7.0, 10.0), (10.0, 10.0), (37.0, 40.0), (41.0, 50.0),
        (250.0, 400.0), (1800.0, 2000.0), (0.003, 0.004), (0.0123, 0.02), (100_000.0, 100_000.0),
    ])
    func theCeilingIsTheNextRoundNumber(value: Double, ceiling: Double) {
        let nice = LinearScale.niceCeiling(value)
        #expect(nice == ceiling, "\(value) → \(nice)")
    }

    @Test func aScaleMapsLinearlyAndClamps() {
        let y = LinearScale(domain: 0...10, start: 128, end: 22)
        #expect(y.position(of: 0) == 128)
        #expect(y.position(of: 10) == 22)
        #expect(y.position(of: 5) == 75)
        #expect(y.position(of: 20) == 22)
        #expect(y.position(of: -1) == 128)
        #expect(y.position(of: .nan) == 128)
        #expect(LinearScale(domain: 3...3, start: 46, end: 300).position(of: 3) == 46)
    }

    func chart(_ lines: [LineChart.Line], domain: ClosedRange<Int64> = 0...100) -> LineChart {
        LineChart(business: D.business(1), series: "send_rate", title: "send rate", format: .compact, timeDomain: domain, lines: lines)
    }

    @Test func aKnownSeriesLandsOnKnownPixels() {
        let line = LineChart.Line(key: "send_rate_1m", label: "1 min", color: "#000",
                                  values: [(0, 0), (50, 5), (100, 10)])
        let chart = chart([line])
        #expect(chart.valueCeiling == 10)
        let runs = chart.polylines(of: line)
        #expect(runs.count == 1)
        #expect(LineChart.pointsAttribute(runs[0]) == "46.0,128.0 173.0,75.0 300.0,22.0")
        #expect(chart.svg().contains("points=\"46.0,128.0 173.0,75.0 300.0,22.0\""))
    }

    @Test func theCeilingCoversEveryLine() {
        let low = LineChart.Line(key: "a", label: "a", color: "#000", values: [(0, 1), (100, 2)])
        let high = LineChart.Line(key: "b", label: "b", color: "#000", values: [(0, 30), (100, 45)])
        let chart = chart([low, high])
        #expect(chart.valueCeiling == 50)
        // 30 and 45 of 50 are 0.6 and 0.9 of the 106 px plot height above the zero line at 128.
        #expect(LineChart.pointsAttribute(chart.polylines(of: high)[0]) == "46.0,64.4 300.0,32.6")
    }

    @Test func aMinimumCeilingHoldsForSmallValuesOnly() {
        var chart = chart([LineChart.Line(key: "a", label: "a", color: "#000", values: [(0, 0), (100, 0.003)])])
        chart.minimumCeiling = 0.01
        #expect(chart.valueCeiling == 0.01)
        chart.lines[0].values.append((100, 0.03))
        #expect(chart.valueCeiling == 0.04)
    }

    @Test func aSteppedLineHoldsItsValueUntilTheNextAndStopsAtAGap() {
        let limit = LineChart.Line(key: "tier_limit", label: "tier limit", color: "#000", stepped: true,
                                   values: [(0, 250), (50, 2000), (100, nil)])
        let chart = chart([limit])
        #expect(chart.valueCeiling == 2000)
        let runs = chart.polylines(of: limit)
        #expect(runs.count == 1)
        #expect(LineChart.pointsAttribute(runs[0]) == "46.0,114.8 173.0,114.8 173.0,22.0")
    }

    @Test func gapsSplitALineIntoPolylines() {
        let line = LineChart.Line(key: "a", label: "a", color: "#000",
                                  values: [(0, 1), (25, nil), (50, 2), (75, .nan), (100, 3), (100, 3)])
        let chart = chart([line])
        #expect(chart.polylines(of: line).map(\.count) == [1, 1, 2])
        #expect(DashboardFixture.count("<polyline", in: chart.svg()) == 3)
    }

    @Test func aChartWithoutValuesSaysSo() {
        let chart = chart([LineChart.Line(key: "a", label: "a", color: "#000", values: [])], domain: 0...0)
        let svg = chart.svg()
        #expect(!svg.contains("<polyline"))
        #expect(svg.contains("no samples yet"))
        #expect(svg.hasPrefix("<svg ") && svg.hasSuffix("</svg>"))
    }

    @Test func theChartCarriesItsHooksAndAxisLabels() {
        let line = LineChart.Line(key: "send_rate_1m", label: "1 min", color: "#1565c0", values: [(0, 0), (3_600_000, 7)])
        let svg = chart([line], domain: 0...3_600_000).svg()
        #expect(svg.contains("class=\"chart\" data-business=\"+14155550001\" data-series=\"send_rate\""))
        #expect(svg.contains("data-line=\"send_rate_1m\""))
        #expect(svg.contains(">01-01 00:00</text>") && svg.contains(">01-01 01:00</text>"))
        #expect(svg.contains(">10</text>") && svg.contains(">5</text>") && svg.contains(">0</text>"))
    }

    @Test func runsOfEqualValuesBecomeBands() {
        let ratings: [QualityRating] = [.green, .green, .yellow, .yellow, .red, .green]
        let samples = ratings.enumerated().map { D.sample(Int64($0.offset) * 10, 1, rating: $0.element) }
        let bands = BandTimeline.bands(samples) { ($0.qualityRating.description, DashboardPalette.color(of: $0.qualityRating)) }
        #expect(bands.map(\.label) == ["GREEN", "YELLOW", "RED", "GREEN"])
        #expect(bands.map(\.start) == [0, 20, 40, 50])
        #expect(bands.map(\.end) == [20, 40, 50, 50])
    }

    @Test func theTimelineDrawsARowEachForRatingStatusAndTier() {
        let samples = [D.sample(0, 1, tier: .tier250), D.sample(50, 1, tier: .tier2K, limit: 2000), D.sample(100, 1, tier: .tier2K, limit: 2000)]
        let svg = BandTimeline(business: D.business(1), samples: samples).svg()
        #expect(svg.contains("class=\"timeline\" data-business=\"+14155550001\""))
        #expect(D.count("data-row=\"quality\"", in: svg) == 1)
        #expect(D.count("data-row=\"status\"", in: svg) == 1)
        #expect(D.count("data-row=\"tier\"", in: svg) == 2)
        // TIER_250 covers 0…50 of 0…100: half the 254 px plot, from x = 46.
        #expect(svg.contains("data-value=\"TIER_250\" x=\"46.0\" y=\"56.0\" width=\"127.0\""))
        #expect(svg.contains("data-value=\"TIER_2K\" x=\"173.0\" y=\"56.0\" width=\"127.0\""))
    }
}
