import Foundation
import Testing
@testable import Stats

/// `Fixtures/kll/expected.json`, written by `Tests/interop/generate_kll_fixtures.py`.
struct KLLFixtureFile: Decodable {
    let generator: String
    let cases: [KLLFixtureCase]
    let staticRankErrors: [StaticRankError]

    struct StaticRankError: Decodable {
        let k: UInt16
        let rankError: Double
        let rankErrorPMF: Double
    }

    static func load() throws -> KLLFixtureFile {
        try Fixtures.json(KLLFixtureFile.self, "kll/expected.json")
    }
}

/// One image and what DataSketches answered about it.
struct KLLFixtureCase: Decodable, CustomStringConvertible {
    struct Part: Decodable {
        let k: UInt16
        let inputs: [KLLFixtureStream]
        let extraValues: [String]
    }
    struct Quantile: Decodable {
        let rank: Double
        let inclusive: String
        let exclusive: String
    }
    struct Rank: Decodable {
        let item: String
        let inclusive: Double
        let exclusive: Double
    }

    let name: String
    let file: String
    let parts: [Part]
    let queriedBeforeSerializing: Bool
    let k: UInt16
    let n: UInt64
    let isEmpty: Bool
    let isEstimationMode: Bool
    let numRetained: Int
    let rankError: Double
    let rankErrorPMF: Double
    let min: String?
    let max: String?
    let quantiles: [Quantile]?
    let ranks: [Rank]?
    let splitPoints: [String]?
    let pmfInclusive: [Double]?
    let pmfExclusive: [Double]?
    let cdfInclusive: [Double]?
    let cdfExclusive: [Double]?

    var description: String { name }

    /// The image bytes.
    func image() throws -> [UInt8] {
        [UInt8](try Fixtures.data("kll/\(file)"))
    }

    /// Every stream value of every part, in order: what the sketch summarizes.
    func allValues() throws -> [Float] {
        var values: [Float] = []
        for part in parts {
            for stream in part.inputs { values += stream.values() }
            values += try part.extraValues.map { try Float(fixtureBits: $0) }
        }
        return values
    }

    /// The same parts built and merged in Swift.
    func buildInSwift(seed: UInt64) throws -> KLLFloatsSketch {
        var target: KLLFloatsSketch?
        for (index, part) in parts.enumerated() {
            var sketch = try KLLFloatsSketch(k: part.k, randomSeed: seed &+ UInt64(index))
            for stream in part.inputs {
                for value in stream.values() { sketch.update(value) }
            }
            for bits in part.extraValues { sketch.update(try Float(fixtureBits: bits)) }
            if target == nil { target = sketch } else { target?.merge(sketch) }
        }
        return try #require(target)
    }
}

/// A deterministic input stream, mirrored by `stream()` in the Python generator.
struct KLLFixtureStream: Decodable {
    let kind: String
    let seed: UInt64
    let count: Int

    func values() -> [Float] {
        var generator = SplitMix64(seed: seed)
        return (0..<count).map { index in
            let word = generator.next()
            let fraction = Double(word >> 40) / 16_777_216.0
            switch kind {
            case "uniform":
                return Float(fraction * 1000.0 - 500.0)
            case "smallIntegers":
                return Float(Double(word % 10))
            case "ascending":
                return Float(Double(index))
            case "logNormalish":
                let magnitude = Double(sign: .plus, exponent: Int(word & 0xFF) % 60 - 30, significand: fraction + 0.5)
                return Float(word & 0x100 != 0 ? -magnitude : magnitude)
            default:
                Issue.record("unknown stream kind \(kind)")
                return .nan
            }
        }
    }
}

extension Float {
    /// A float from the generator's 8-hex-digit bit pattern.
    init(fixtureBits hex: String) throws {
        self.init(bitPattern: try #require(UInt32(hex, radix: 16), "bad float bits \(hex)"))
    }
}

/// Exact ranks of a data set, for accuracy checks.
struct KLLTrueRanks {
    let sorted: [Float]

    init(_ values: [Float]) {
        sorted = values.sorted()
    }

    /// Fraction of values < item (exclusive) or ≤ item (inclusive).
    func rank(of item: Float, inclusive: Bool) -> Double {
        var low = 0
        var high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if inclusive ? !(item < sorted[middle]) : sorted[middle] < item { low = middle + 1 } else { high = middle }
        }
        return Double(low) / Double(sorted.count)
    }

    /// The largest distance between `rank` and the interval of true ranks `quantile` occupies.
    func rankDistance(ofQuantile quantile: Float, toRank rank: Double) -> Double {
        let below = self.rank(of: quantile, inclusive: false)
        let through = self.rank(of: quantile, inclusive: true)
        if rank < below { return below - rank }
        if rank > through { return rank - through }
        return 0
    }
}
