/// The ground truth of a simulated workload, written beside the events as `NAME.labels.json`:
///
/// ```
/// {"scenario":"bulk-blaster","seed":1,"scale":1,"start":…,"end":…,"businesses":[
/// {"business":"+55…","label":"abusive","behaviour":"bulk_blaster","expect_critical":true,"window":[t0,t1]},
/// …]}
/// ```
///
/// Every business that appears in the events has exactly one entry. `window` is the span of the
/// behaviour the label is about (docs/simulation.md): the abuse for abusive businesses, the flash
/// sale for retailers, the passcodes for utility senders, the bombing for its targets, all activity
/// for the background.
public struct SimulationLabels: Sendable, Equatable {
    /// One business's label.
    public struct Business: Sendable, Equatable {
        /// Its E.164 number.
        public let business: String
        /// What it does.
        public let behaviour: SimulationBehaviour
        /// First and last time of the labeled behaviour, ms since the Unix epoch.
        public let window: ClosedRange<Int64>

        /// "abusive" or "honest".
        public var label: String { behaviour.isAbusive ? "abusive" : "honest" }
        /// Whether a critical alert is expected for it: exactly the abusive businesses.
        public var expectCritical: Bool { behaviour.isAbusive }
    }

    /// The scenario's name.
    public let scenario: String
    /// The seed.
    public let seed: UInt64
    /// The scale.
    public let scale: Double
    /// The capture's first millisecond.
    public let start: Int64
    /// The capture's end (exclusive).
    public let end: Int64
    /// Every business in the events, in business-table order.
    public let businesses: [Business]

    /// The JSON text, one business per line, ending with a newline.
    public var json: String {
        var text = #"{"scenario":"\#(scenario)","seed":\#(seed),"scale":\#(Self.number(scale)),"start":\#(start),"end":\#(end),"businesses":["#
        for (index, business) in businesses.enumerated() {
            text += index == 0 ? "\n" : ",\n"
            text += #"{"business":"\#(business.business)","label":"\#(business.label)","behaviour":"\#(business.behaviour.rawValue)","#
            text += #""expect_critical":\#(business.expectCritical),"window":[\#(business.window.lowerBound),\#(business.window.upperBound)]}"#
        }
        return text + "\n]}\n"
    }

    /// A finite number as JSON: integral values without a fraction.
    private static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
    }
}
