import Transport

/// A business's quality rating, status and tier over time as rows of coloured bands in inline SVG:
/// `<svg class="timeline" data-business="+…">` with one `<rect class="band" data-row="quality"
/// data-value="GREEN">` per run of equal samples.
struct BandTimeline {
    /// One run of equal values.
    struct Band: Sendable, Hashable {
        /// The first sample of the run.
        var start: Int64
        /// The first sample of the next run (the last sample's time for the last run).
        var end: Int64
        /// The value's text (`GREEN`, `TIER_2K`).
        var label: String
        /// Fill colour.
        var color: String
    }

    /// One row of bands.
    struct Row {
        /// The `data-row` hook and the row's label.
        var key: String
        /// The runs, in time order.
        var bands: [Band]
    }

    /// The business charted.
    var business: PhoneNumber
    /// The time interval across.
    var timeDomain: ClosedRange<Int64>
    /// The rows, top to bottom.
    var rows: [Row]
    /// The geometry (the height follows the rows).
    var frame = ChartFrame(height: 78, top: 6, bottom: 0)

    /// The rating, status and tier rows of `samples` (oldest first).
    init(business: PhoneNumber, samples: [SignalSample]) {
        self.business = business
        timeDomain = (samples.first?.time ?? 0)...(samples.last?.time ?? 0)
        rows = [
            Row(key: "quality", bands: Self.bands(samples) { ($0.qualityRating.description, DashboardPalette.color(of: $0.qualityRating)) }),
            Row(key: "status", bands: Self.bands(samples) { ($0.status.description, DashboardPalette.color(of: $0.status)) }),
            Row(key: "tier", bands: Self.bands(samples) { ($0.messagingLimit.description, DashboardPalette.color(of: $0.messagingLimit)) }),
        ]
    }

    /// Runs of equal `value` in `samples`: each from its first sample to the next run's first.
    static func bands(_ samples: [SignalSample], value: (SignalSample) -> (label: String, color: String)) -> [Band] {
        var bands: [Band] = []
        for sample in samples {
            let (label, color) = value(sample)
            if let last = bands.last, last.label == label {
                bands[bands.count - 1].end = sample.time
            } else {
                if !bands.isEmpty { bands[bands.count - 1].end = sample.time }
                bands.append(Band(start: sample.time, end: sample.time, label: label, color: color))
            }
        }
        return bands
    }

    /// Height of one row.
    static let rowHeight = 22.0
    /// Gap between rows.
    static let rowGap = 3.0

    /// The whole `<svg>` element.
    func svg() -> String {
        let px = { (value: Double) in DashboardText.fixed(value, digits: 1) }
        let xScale = frame.timeScale(timeDomain)
        var svg = frame.openSVG(className: "timeline", attributes: [("data-business", business.e164), ("data-series", "quality_tier")],
                                label: "quality rating, status and tier of \(business.e164)")
        for (index, row) in rows.enumerated() {
            let y = frame.top + Double(index) * (Self.rowHeight + Self.rowGap)
            svg += "<text class=\"tick\" x=\"\(px(frame.left - 4))\" y=\"\(px(y + Self.rowHeight / 2))\" dy=\"3\" text-anchor=\"end\">\(DashboardText.escape(row.key))</text>"
            for band in row.bands {
                let x = xScale.position(of: Double(band.start))
                // A band of one sample still shows: at least 2 px wide.
                let width = max(xScale.position(of: Double(band.end)) - x, 2)
                let tip = "\(band.label) \(DashboardText.dateTime(band.start)) – \(DashboardText.dateTime(band.end))"
                svg += "<rect class=\"band\" data-row=\"\(DashboardText.escape(row.key))\" data-value=\"\(DashboardText.escape(band.label))\""
                    + " x=\"\(px(x))\" y=\"\(px(y))\" width=\"\(px(width))\" height=\"\(px(Self.rowHeight))\" fill=\"\(band.color)\">"
                    + "<title>\(DashboardText.escape(tip))</title></rect>"
                if width >= Double(band.label.count) * 6.5 + 6 {
                    svg += "<text class=\"band-label\" x=\"\(px(x + 4))\" y=\"\(px(y + Self.rowHeight / 2))\" dy=\"3\""
                        + " fill=\"\(DashboardPalette.textColor(on: band.color))\">\(DashboardText.escape(band.label))</text>"
                }
            }
        }
        return svg + "</svg>"
    }
}
