import Transport

/// A small-multiple line chart of one business's series as inline SVG: a time axis across, a value
/// axis from zero up to a round ceiling, one `<polyline>` per line (several where a line has gaps).
///
/// The picture carries stable hooks for a DOM check: `<svg class="chart" data-business="+…"
/// data-series="…">` and `<polyline class="line" data-line="…" points="x,y …">`.
struct LineChart {
    /// How value labels are written.
    enum ValueFormat {
        /// `1.2k`, `57`, `0.35`.
        case compact
        /// A share as a percentage, `1.2%`.
        case percent

        /// `value` as a label.
        func text(_ value: Double) -> String {
            switch self {
            case .compact: DashboardText.compact(value)
            case .percent: DashboardText.percent(value)
            }
        }
    }

    /// One line: values over time (nil: no value then, e.g. an unlimited tier has no limit line).
    struct Line {
        /// Its `data-line` hook.
        var key: String
        /// The legend text.
        var label: String
        /// Stroke colour (CSS).
        var color: String
        /// Whether the line is drawn dashed.
        var dashed = false
        /// Whether a value holds until the next one (a limit that changes in steps) rather than
        /// being joined to it by a slope.
        var stepped = false
        /// Values, in time order.
        var values: [(time: Int64, value: Double?)]
    }

    /// The business charted.
    var business: PhoneNumber
    /// The `data-series` hook (`send_rate`, `business_initiated`, `feedback`).
    var series: String
    /// The title written above the plot.
    var title: String
    /// How value labels are written.
    var format: ValueFormat
    /// The time interval across the plot.
    var timeDomain: ClosedRange<Int64>
    /// The value axis reaches at least this high (so a flat 0 % reads as small, not as half of 1).
    var minimumCeiling = 0.0
    /// The lines.
    var lines: [Line]
    /// The geometry.
    var frame = ChartFrame()

    /// The value axis's top: a round number at or above every value and ``minimumCeiling`` (1 with
    /// neither).
    var valueCeiling: Double {
        var largest = minimumCeiling
        for line in lines {
            for case let (_, value?) in line.values where value.isFinite { largest = max(largest, value) }
        }
        return LinearScale.niceCeiling(largest)
    }

    /// The pixel points of `line`: one list per run of values without a gap.
    func polylines(of line: Line) -> [[(x: Double, y: Double)]] {
        let xScale = frame.timeScale(timeDomain)
        let yScale = frame.valueScale(ceiling: valueCeiling)
        var runs: [[(x: Double, y: Double)]] = []
        var run: [(x: Double, y: Double)] = []
        var previous: Double?
        for (time, value) in line.values {
            guard let value, value.isFinite else {
                if !run.isEmpty { runs.append(run) }
                run = []
                previous = nil
                continue
            }
            let x = xScale.position(of: Double(time))
            if line.stepped, let previous, previous != value { run.append((x, yScale.position(of: previous))) }
            run.append((x, yScale.position(of: value)))
            previous = value
        }
        if !run.isEmpty { runs.append(run) }
        return runs
    }

    /// The `points` attribute of a polyline: `x,y` pairs to 0.1 px, separated by spaces.
    static func pointsAttribute(_ points: [(x: Double, y: Double)]) -> String {
        points.map { DashboardText.fixed($0.x, digits: 1) + "," + DashboardText.fixed($0.y, digits: 1) }.joined(separator: " ")
    }

    /// The whole `<svg>` element.
    func svg() -> String {
        let ceiling = valueCeiling
        let yScale = frame.valueScale(ceiling: ceiling)
        let px = { (value: Double) in DashboardText.fixed(value, digits: 1) }
        var svg = frame.openSVG(className: "chart", attributes: [("data-business", business.e164), ("data-series", series)],
                                label: "\(title) of \(business.e164)")
        svg += "<text class=\"chart-title\" x=\"4\" y=\"13\">\(DashboardText.escape(title))</text>"
        // Grid and value labels at 0, half and the ceiling.
        for fraction in [0.0, 0.5, 1.0] {
            let y = px(yScale.position(of: ceiling * fraction))
            svg += "<line class=\"grid\" x1=\"\(px(frame.left))\" y1=\"\(y)\" x2=\"\(px(frame.plotRight))\" y2=\"\(y)\" stroke=\"#e0e0e0\"/>"
            svg += "<text class=\"tick\" x=\"\(px(frame.left - 4))\" y=\"\(y)\" dy=\"3\" text-anchor=\"end\">"
                + "\(DashboardText.escape(format.text(ceiling * fraction)))</text>"
        }
        svg += "<line class=\"axis\" x1=\"\(px(frame.left))\" y1=\"\(px(frame.top))\" x2=\"\(px(frame.left))\" y2=\"\(px(frame.plotBottom))\" stroke=\"#757575\"/>"
        let timeY = px(frame.height - 6)
        svg += "<text class=\"tick\" x=\"\(px(frame.left))\" y=\"\(timeY)\">\(DashboardText.shortDateTime(timeDomain.lowerBound))</text>"
        svg += "<text class=\"tick\" x=\"\(px(frame.plotRight))\" y=\"\(timeY)\" text-anchor=\"end\">\(DashboardText.shortDateTime(timeDomain.upperBound))</text>"
        var drawn = 0
        for line in lines {
            for points in polylines(of: line) {
                svg += "<polyline class=\"line\" data-line=\"\(DashboardText.escape(line.key))\" fill=\"none\" stroke=\"\(DashboardText.escape(line.color))\""
                    + " stroke-width=\"1.5\"\(line.dashed ? " stroke-dasharray=\"4 3\"" : "") points=\"\(Self.pointsAttribute(points))\"/>"
                drawn += 1
            }
        }
        if drawn == 0 {
            svg += "<text class=\"empty\" x=\"\(px((frame.left + frame.plotRight) / 2))\" y=\"\(px((frame.top + frame.plotBottom) / 2))\" text-anchor=\"middle\">no samples yet</text>"
        }
        // The legend, right-aligned on the title's line.
        var legendX = frame.plotRight
        for line in lines.reversed() {
            svg += "<text class=\"legend\" x=\"\(px(legendX))\" y=\"13\" text-anchor=\"end\" fill=\"\(DashboardText.escape(line.color))\">"
                + "\(DashboardText.escape(line.label))</text>"
            legendX -= Double(line.label.count) * 6 + 10
        }
        return svg + "</svg>"
    }
}
