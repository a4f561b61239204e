@testable import Stats

/// Cases written by datasketches 5.2.0 (Tests/interop/generate_hll_fixtures.py).
struct HLLSketchCase: Decodable, CustomStringConvertible {
    let lg_k: Int
    let kind: String
    let start: Int
    let count: Int
    let mode: String
    let compact: String
    let updatable: String
    let hll6_compact: String
    let hll6_updatable: String
    let hll4_compact: String
    let hll4_updatable: String
    let estimate: Double
    let lower: [Double]
    let upper: [Double]

    var description: String { "lgK \(lg_k) \(kind) × \(count)" }
}

struct HLLUnionCase: Decodable, CustomStringConvertible {
    let lg_max_k: Int
    let parts: [[HLLPart]]
    let images: [String]
    let result_compact: String
    let estimate: Double
    let lower: [Double]
    let upper: [Double]
    let result_estimate: Double

    var description: String { "union lgMaxK \(lg_max_k) of \(parts.count) sketches" }
}

/// A union part: [lgK, kind, start, count] decoded from a heterogeneous JSON array.
enum HLLPart: Decodable {
    case int(Int)
    case text(String)

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Int.self) { self = .int(value) } else { self = .text(try container.decode(String.self)) }
    }

    var int: Int { if case let .int(v) = self { v } else { -1 } }
    var text: String { if case let .text(v) = self { v } else { "" } }
}

enum HLLFixtureItems {
    /// The same items the generator feeds Python, in the same order.
    static func feed(_ sketch: inout HLLSketch, kind: String, start: Int, count: Int) {
        for i in start..<(start + count) {
            switch kind {
            case "int": sketch.update(Int64(i))
            case "double": sketch.update(Double(i) * 0.5 - 7.25)
            case "string": sketch.update("item-\(i)")
            case "unicode": sketch.update("ключ-\(i)-✓")
            default: break
            }
        }
    }

    static func sketches() throws -> [HLLSketchCase] {
        struct File: Decodable { let cases: [HLLSketchCase] }
        return try Fixtures.json(File.self, "hll/sketches.json").cases
    }

    static func unions() throws -> [HLLUnionCase] {
        struct File: Decodable { let cases: [HLLUnionCase] }
        return try Fixtures.json(File.self, "hll/unions.json").cases
    }
}
