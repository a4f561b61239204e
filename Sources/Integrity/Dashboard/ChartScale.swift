/// A linear map from a value interval onto a pixel interval; the pixel interval may run backwards,
/// as an SVG y axis does (values grow upwards, pixels downwards).
struct LinearScale: Sendable, Hashable {
    /// The values mapped, lower to upper.
    var domain: ClosedRange<Double>
    /// The pixel where ``domain``'s lower bound lands.
    var start: Double
    /// The pixel where ``domain``'s upper bound lands.
    var end: Double

    /// The pixel of `value`, clamped to the interval. An empty domain (one value) maps everything
    /// to ``start``; NaN maps to ``start``.
    func position(of value: Double) -> Double {
        let span = domain.upperBound - domain.lowerBound
        guard span > 0, !value.isNaN else { return start }
        let clamped = min(max(value, domain.lowerBound), domain.upperBound)
        return start + (clamped - domain.lowerBound) / span * (end - start)
    }

    /// The smallest of 1, 2, 4 and 5 × 10ᵏ at or above `value`: a round axis maximum whose half
    /// is round too (the middle tick). 1 for a value that is not positive and finite.
    static func niceCeiling(_ value: Double) -> Double {
        guard value.isFinite, value > 0 else { return 1 }
        // 10^exponent ≤ value < 10^(exponent + 1).
        var exponent = 0
        while scaled(1, exponent + 1) <= value { exponent += 1 }
        while exponent > -330, scaled(1, exponent) > value { exponent -= 1 }
        for step in [1.0, 2, 4, 5, 10] where scaled(step, exponent) >= value {
            return scaled(step, exponent)
        }
        return value
    }

    /// `step` × 10^`exponent`, correctly rounded: a product for exponent ≥ 0, a quotient below
    /// (so 4 × 10⁻² is the double nearest 0.04, not 0.04000000000000001).
    private static func scaled(_ step: Double, _ exponent: Int) -> Double {
        var power = 1.0
        for _ in 0..<exponent.magnitude { power *= 10 }
        return exponent >= 0 ? step * power : step / power
    }
}

/// The geometry shared by the dashboard's SVG charts: the whole picture and the plot area inside
/// its margins (pixels).
struct ChartFrame: Sendable, Hashable {
    /// Picture width.
    var width: Double = 310
    /// Picture height.
    var height: Double = 150
    /// Margin left of the plot (value labels).
    var left: Double = 46
    /// Margin right of the plot.
    var right: Double = 10
    /// Margin above the plot (title, legend).
    var top: Double = 22
    /// Margin below the plot (time labels).
    var bottom: Double = 22

    /// The plot's right edge.
    var plotRight: Double { width - right }
    /// The plot's bottom edge (the value axis's zero).
    var plotBottom: Double { height - bottom }

    /// The x scale of a time interval across the plot.
    func timeScale(_ domain: ClosedRange<Int64>) -> LinearScale {
        LinearScale(domain: Double(domain.lowerBound)...Double(domain.upperBound), start: left, end: plotRight)
    }

    /// The y scale of `0…ceiling` up the plot.
    func valueScale(ceiling: Double) -> LinearScale {
        LinearScale(domain: 0...ceiling, start: plotBottom, end: top)
    }

    /// `<svg …>` opening an element of `className` with this frame's size and `attributes` (already
    /// escaped `name="value"` pairs).
    func openSVG(className: String, attributes: [(String, String)], label: String) -> String {
        var tag = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"\(className)\""
        for (name, value) in attributes { tag += " \(name)=\"\(DashboardText.escape(value))\"" }
        let size = "\(DashboardText.fixed(width, digits: 0))"
        let tall = "\(DashboardText.fixed(height, digits: 0))"
        tag += " viewBox=\"0 0 \(size) \(tall)\" width=\"\(size)\" height=\"\(tall)\" role=\"img\""
        tag += " aria-label=\"\(DashboardText.escape(label))\"><title>\(DashboardText.escape(label))</title>"
        return tag
    }
}
