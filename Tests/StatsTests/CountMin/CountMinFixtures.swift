import Foundation
@testable import Stats

/// The fixtures written by `Tests/interop/generate_cms_fixtures.py` (datasketches 5.2.0).
struct CountMinFixtureFile: Decodable {
    struct Suggestions: Decodable {
        let buckets: [[Double]]
        let hashes: [[Double]]
    }

    /// An item as the generator writes it: a string (`s`) or an int64 in decimal (`i`).
    struct Item: Decodable, SketchHashable, CustomStringConvertible {
        let s: String?
        let i: String?

        func sketchHash(seed: UInt64) -> MurmurHash3.Hash128? {
            if let s { return s.sketchHash(seed: seed) }
            return Int64(i ?? "")?.sketchHash(seed: seed)
        }

        var description: String { s.map { "\"\($0)\"" } ?? i ?? "?" }
    }

    struct Update: Decodable {
        let s: String?
        let i: String?
        let w: Double
        var item: Item { Item(s: s, i: i) }
    }

    struct Query: Decodable {
        let s: String?
        let i: String?
        let estimate: Double
        let lower: Double
        let upper: Double
        var item: Item { Item(s: s, i: i) }
    }

    struct Sparse: Decodable {
        let length: Int
        let head: String
        let cells: [[Either]]
        let h1: String
    }

    /// `[index, "hex bits"]` pairs mix numbers and strings.
    enum Either: Decodable {
        case number(Int)
        case text(String)
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let value = try? container.decode(Int.self) { self = .number(value) } else {
                self = .text(try container.decode(String.self))
            }
        }
    }

    struct Case: Decodable, CustomStringConvertible {
        let name: String
        let num_hashes: Int
        let num_buckets: Int
        let seed: String
        let total_weight: Double
        let relative_error: Double
        let empty: String
        let queries: [Query]
        let image: String?
        let sparse: Sparse?
        let updates: [Update]?
        let parts: [[Update]]?

        var seedValue: UInt64 { UInt64(seed) ?? 0 }
        var description: String { name }

        /// Python's serialized bytes, rebuilt from the sparse form when the image is large.
        func imageBytes() throws -> [UInt8] {
            if let image { return [UInt8](try Fixtures.data("cms/\(image)")) }
            guard let sparse else { throw Fixtures.Missing(path: "cms/\(name) image") }
            var bytes = [UInt8](hex: sparse.head)
            bytes += [UInt8](repeating: 0, count: sparse.length - bytes.count)
            for pair in sparse.cells {
                guard case let .number(index) = pair[0], case let .text(bits) = pair[1],
                      let value = UInt64(bits, radix: 16) else { throw Fixtures.Missing(path: "cms/\(name) cell") }
                for byte in 0..<8 { bytes[24 + 8 * index + byte] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(byte))) }
            }
            let h1 = bytes.withUnsafeBytes { MurmurHash3.hash128($0, seed: 0).h1 }
            guard String(h1) == sparse.h1 else { throw Fixtures.Missing(path: "cms/\(name) (sparse image digest differs)") }
            return bytes
        }

        /// A Swift sketch fed the case's update stream (or both parts, merged).
        func buildInSwift() throws -> CountMinSketch {
            func build(_ updates: [Update]) throws -> CountMinSketch {
                var sketch = try CountMinSketch(numHashes: num_hashes, numBuckets: num_buckets, seed: seedValue)
                for update in updates { sketch.update(update.item, weight: update.w) }
                return sketch
            }
            if let parts {
                var merged = try build(parts[0])
                try merged.merge(try build(parts[1]))
                return merged
            }
            return try build(updates ?? [])
        }
    }

    let suggestions: Suggestions
    let cases: [Case]

    static func load() throws -> CountMinFixtureFile {
        try Fixtures.json(CountMinFixtureFile.self, "cms/cases.json")
    }
}
