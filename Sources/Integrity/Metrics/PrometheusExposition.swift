/// A writer of Prometheus' text exposition format (version 0.0.4): each family once, as
/// `# HELP`, `# TYPE` and its samples together.
///
/// Metric and label names are the program's own constants, so a bad one is a programmer error
/// (precondition); label values and help texts are escaped — in values `\` → `\\`, `"` → `\"`,
/// newline → `\n`; in help texts `\` and newline. Counters must be named `…_total`, as
/// `promtool check metrics` demands.
///
/// ```swift
/// var out = PrometheusExposition()
/// out.family("vigil_events_total", .counter, help: "Events applied.")
/// out.sample(["kind": "block"], 3)
/// print(out.text)
/// ```
public struct PrometheusExposition: Sendable {
    /// A family's type.
    public enum MetricType: String, Sendable, Hashable {
        /// Only goes up (reset on restart); named `…_total`.
        case counter
        /// Goes up and down.
        case gauge
    }

    /// The exposition so far.
    public private(set) var text = ""
    private var current: String?
    private var declared: Set<String> = []

    /// An empty exposition.
    public init() {}

    /// `text/plain; version=0.0.4; charset=utf-8`, the `Content-Type` of a scrape response.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// Starts the family `name`; the samples that follow belong to it.
    public mutating func family(_ name: String, _ type: MetricType, help: String) {
        precondition(Self.isValidMetricName(name), "invalid metric name \(name)")
        precondition(type != .counter || name.hasSuffix("_total"), "counter \(name) must end in _total")
        precondition(declared.insert(name).inserted, "metric family \(name) written twice")
        current = name
        text += "# HELP \(name) \(Self.escapeHelp(help))\n# TYPE \(name) \(type.rawValue)\n"
    }

    /// One sample of the current family, without labels.
    public mutating func sample(_ value: Double) {
        sample(labels: [], value)
    }

    /// One sample of the current family, labels in the given order.
    public mutating func sample(_ labels: KeyValuePairs<String, String>, _ value: Double) {
        sample(labels: labels.map { (name: $0.key, value: $0.value) }, value)
    }

    /// One sample of the current family, labels in the given order.
    public mutating func sample(labels: [(name: String, value: String)], _ value: Double) {
        guard let name = current else { preconditionFailure("sample before any family") }
        text += name
        if !labels.isEmpty {
            text += "{"
            for (position, label) in labels.enumerated() {
                precondition(Self.isValidLabelName(label.name), "invalid label name \(label.name)")
                if position > 0 { text += "," }
                text += label.name + "=\"" + Self.escapeLabelValue(label.value) + "\""
            }
            text += "}"
        }
        text += " " + Self.format(value) + "\n"
    }

    /// A label value with `\`, `"` and newline escaped.
    public static func escapeLabelValue(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for character in value.unicodeScalars {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    /// A help text with `\` and newline escaped.
    public static func escapeHelp(_ help: String) -> String {
        var out = ""
        for character in help.unicodeScalars {
            switch character {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    /// A sample value: integers without a point, `NaN`, `+Inf`, `-Inf`, else the shortest
    /// decimal that reads back as the same double.
    public static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
        if value == value.rounded(), abs(value) < 9_007_199_254_740_992 { return String(Int64(value)) }
        return String(value)
    }

    /// `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    public static func isValidMetricName(_ name: String) -> Bool {
        isName(name, allowingColon: true)
    }

    /// `[a-zA-Z_][a-zA-Z0-9_]*`, not starting with the reserved `__`.
    public static func isValidLabelName(_ name: String) -> Bool {
        isName(name, allowingColon: false) && !name.hasPrefix("__")
    }

    private static func isName(_ name: String, allowingColon: Bool) -> Bool {
        guard let first = name.utf8.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { return false }
        return name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"): true
            case UInt8(ascii: ":"): allowingColon
            default: false
            }
        }
    }
}
