import Foundation
@testable import Stats

/// The fixtures written by `Tests/interop/generate_fi_fixtures.py` (datasketches 5.2.0).
struct FrequentItemsFixtureFile: Decodable {
    struct Part: Decodable {
        let items: [Int]
        let weights: [UInt64]
    }

    /// A cell of a frequent-items row: the item or one of its numbers.
    enum Cell: Decodable, Equatable {
        case text(String)
        case number(UInt64)
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let value = try? container.decode(UInt64.self) { self = .number(value) } else {
                self = .text(try container.decode(String.self))
            }
        }
    }

    struct Frequent: Decodable {
        let type: String
        let threshold: UInt64?
        let rows: [[Cell]]

        var errorType: FrequentItemsSketch.ErrorType {
            type == "NO_FALSE_POSITIVES" ? .noFalsePositives : .noFalseNegatives
        }

        /// Python's rows as Swift rows (already sorted by estimate, ties by UTF-8 bytes).
        var expectedRows: [FrequentItemsSketch.Row] {
            rows.map { cells in
                guard case let .text(item) = cells[0], case let .number(estimate) = cells[1],
                      case let .number(lower) = cells[2], case let .number(upper) = cells[3] else {
                    return FrequentItemsSketch.Row(item: "<malformed fixture>", estimate: 0, lowerBound: 0, upperBound: 0)
                }
                return FrequentItemsSketch.Row(item: item, estimate: estimate, lowerBound: lower, upperBound: upper)
            }
        }
    }

    /// What Python reported for one sketch.
    struct Answers: Decodable {
        let total_weight: UInt64
        let num_active: Int
        let epsilon: Double
        let maximum_error: UInt64
        let queries: [[Int]]
        let frequent: [Frequent]
    }

    struct Case: Decodable, CustomStringConvertible {
        let name: String
        let lg_max: Int
        let lg_cur: Int
        let image: String
        let vocab: [String]
        let absent: [String]
        let parts: [Part]
        let `true`: [UInt64]
        let built: Answers
        let decoded: Answers
        let lg_max_other: Int?
        let reserialized: String?

        var description: String { name }

        func imageBytes() throws -> [UInt8] { [UInt8](try Fixtures.data("fi/\(image)")) }

        /// The item a query row is about (index −1 rows are the absent items, in order).
        func queryItems() -> [String] { vocab + absent }

        /// A Swift sketch fed the case's stream (or both parts, merged as Python merged them).
        func buildInSwift() throws -> FrequentItemsSketch {
            func build(_ lgMax: Int, _ part: Part) throws -> FrequentItemsSketch {
                var sketch = try FrequentItemsSketch(lgMaxMapSize: lgMax)
                for (index, weight) in zip(part.items, part.weights) { sketch.update(vocab[index], weight: weight) }
                return sketch
            }
            var sketch = try build(lg_max, parts[0])
            if parts.count > 1 { sketch.merge(try build(lg_max_other ?? lg_max, parts[1])) }
            return sketch
        }
    }

    let cases: [Case]

    static func load() throws -> FrequentItemsFixtureFile {
        try Fixtures.json(FrequentItemsFixtureFile.self, "fi/cases.json")
    }
}
