/// A JSON value for `vigil demo --json`, written with keys in insertion order.
indirect enum DemoJSON {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([DemoJSON])
    case object([(String, DemoJSON)])

    /// An object from `pairs`, in their order.
    static func fields(_ pairs: KeyValuePairs<String, DemoJSON>) -> DemoJSON {
        .object(pairs.map { ($0.key, $0.value) })
    }

    /// `counts` as an object with string keys, sorted.
    static func counts<Key: Comparable & CustomStringConvertible>(_ counts: [Key: Int]) -> DemoJSON {
        .object(counts.sorted { $0.key < $1.key }.map { ($0.key.description, .int($0.value)) })
    }

    /// The compact text.
    var text: String {
        switch self {
        case .null: "null"
        case let .bool(value): value ? "true" : "false"
        case let .int(value): String(value)
        case let .double(value): JSONObject.number((value * 1_000).rounded() / 1_000)
        case let .string(value): JSONObject.quote(value)
        case let .array(values): "[" + values.map(\.text).joined(separator: ",") + "]"
        case let .object(pairs): "{" + pairs.map { JSONObject.quote($0.0) + ":" + $0.1.text }.joined(separator: ",") + "}"
        }
    }
}
