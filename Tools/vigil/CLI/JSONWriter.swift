/// A tiny JSON object writer that keeps keys in insertion order (tools compare our output as text).
struct JSONObject {
    private var fields: [(String, String)] = []

    mutating func set(_ key: String, _ value: String) { fields.append((key, JSONObject.quote(value))) }
    mutating func set(_ key: String, _ value: Int) { fields.append((key, String(value))) }
    mutating func set(_ key: String, _ value: UInt64) { fields.append((key, String(value))) }
    mutating func set(_ key: String, _ value: Bool) { fields.append((key, value ? "true" : "false")) }
    mutating func set(_ key: String, _ value: Double) { fields.append((key, JSONObject.number(value))) }
    mutating func set(_ key: String, _ values: [Double]) {
        fields.append((key, "[" + values.map(JSONObject.number).joined(separator: ",") + "]"))
    }

    var text: String { "{" + fields.map { "\(JSONObject.quote($0.0)):\($0.1)" }.joined(separator: ",") + "}" }

    /// One `key: value` line per field, for people.
    var humanReadable: String { fields.map { "\($0.0): \($0.1)" }.joined(separator: "\n") }

    /// A finite number in shortest round-trip form; NaN and infinities become null.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
