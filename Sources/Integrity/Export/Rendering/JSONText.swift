/// A JSON object written field by field in insertion order (outputs are compared as text).
struct JSONText {
    private var fields: [String] = []

    mutating func raw(_ key: String, _ json: String) { fields.append(Self.quote(key) + ":" + json) }
    mutating func string(_ key: String, _ value: String) { raw(key, Self.quote(value)) }
    mutating func integer(_ key: String, _ value: Int64) { raw(key, String(value)) }
    mutating func integer(_ key: String, _ value: Int) { raw(key, String(value)) }
    mutating func optional(_ key: String, _ value: Int64?) { raw(key, value.map(String.init) ?? "null") }
    mutating func number(_ key: String, _ value: Double) { raw(key, Self.number(value)) }
    mutating func object(_ key: String, _ value: JSONText) { raw(key, value.text) }

    var text: String { "{" + fields.joined(separator: ",") + "}" }

    static func array(_ items: [String]) -> String { "[" + items.joined(separator: ",") + "]" }

    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    /// A JSON string literal (the analyzer's writer's escaping, so every Integrity output agrees).
    static func quote(_ text: String) -> String { JSONFields.quote(text) }
}
