import Testing
@testable import Stats

/// Byte-for-byte and estimate-for-estimate agreement with datasketches 5.2.0.
@Suite struct HLLCompatibilityTests {
    @Test func compactAndUpdatableImagesAreByteIdentical() throws {
        let cases = try HLLFixtureItems.sketches()
        #expect(cases.count > 100)
        for c in cases {
            var sketch = try HLLSketch(lgK: c.lg_k)
            HLLFixtureItems.feed(&sketch, kind: c.kind, start: c.start, count: c.count)
            #expect(sketch.serialized(compact: true).hex == c.compact, "\(c)")
            #expect(sketch.serialized(compact: false).hex == c.updatable, "\(c)")
            #expect(sketch.mode.description == c.mode, "\(c)")
        }
    }

    @Test func estimatesAndBoundsEqualPythons() throws {
        for c in try HLLFixtureItems.sketches() {
            var sketch = try HLLSketch(lgK: c.lg_k)
            HLLFixtureItems.feed(&sketch, kind: c.kind, start: c.start, count: c.count)
            #expect(sketch.estimate == c.estimate, "\(c)")
            for sd in 1...3 {
                #expect(try sketch.lowerBound(standardDeviations: sd) == c.lower[sd - 1], "\(c) sd \(sd)")
                #expect(try sketch.upperBound(standardDeviations: sd) == c.upper[sd - 1], "\(c) sd \(sd)")
            }
        }
    }

    @Test func decodesEveryTargetTypeAndLayout() throws {
        for c in try HLLFixtureItems.sketches() {
            let python = [UInt8](hex: c.compact)
            for image in [c.compact, c.updatable, c.hll6_compact, c.hll6_updatable, c.hll4_compact, c.hll4_updatable] {
                let decoded = try HLLSketch(serialized: [UInt8](hex: image))
                #expect(decoded.estimate == c.estimate, "\(c)")
                #expect(try decoded.upperBound(standardDeviations: 2) == c.upper[1], "\(c)")
                #expect(try decoded.lowerBound(standardDeviations: 3) == c.lower[2], "\(c)")
                let again = decoded.serialized(compact: true)
                if decoded.mode == .set {
                    // A compact SET is re-inserted on reading, so its table order may change (as in
                    // DataSketches); the header and the coupons themselves must not.
                    #expect(Array(again[0..<12]) == Array(python[0..<12]), "\(c)")
                    #expect(Self.coupons(again).sorted() == Self.coupons(python).sorted(), "\(c)")
                } else {
                    // Widened to HLL_8, every image re-serializes to Python's own HLL_8 compact image.
                    #expect(again == python, "\(c)")
                }
            }
            let updatable = try HLLSketch(serialized: [UInt8](hex: c.updatable))
            #expect(updatable.serialized(compact: false).hex == c.updatable, "\(c)")
        }
    }

    private static func coupons(_ image: [UInt8]) -> [UInt32] {
        stride(from: 12, to: image.count, by: 4).map { offset in
            (0..<4).reduce(UInt32(0)) { $0 | UInt32(image[offset + $1]) << (8 * UInt32($1)) }
        }
    }

    @Test func unionsMatchPythonEstimatesAndResultImages() throws {
        let cases = try HLLFixtureItems.unions()
        #expect(cases.count >= 9)
        for c in cases {
            var union = try HLLUnion(lgMaxK: c.lg_max_k)
            for (part, image) in zip(c.parts, c.images) {
                var sketch = try HLLSketch(lgK: part[0].int)
                HLLFixtureItems.feed(&sketch, kind: part[1].text, start: part[2].int, count: part[3].int)
                #expect(sketch.serialized().hex == image, "\(c)")
                // The sketch itself, as Python fed it: a decoded compact SET has another table order.
                union.update(sketch)
            }
            #expect(union.estimate == c.estimate, "\(c)")
            for sd in 1...3 {
                #expect(try union.lowerBound(standardDeviations: sd) == c.lower[sd - 1], "\(c) sd \(sd)")
                #expect(try union.upperBound(standardDeviations: sd) == c.upper[sd - 1], "\(c) sd \(sd)")
            }
            #expect(union.result.serialized().hex == c.result_compact, "\(c)")
            #expect(union.result.estimate == c.result_estimate, "\(c)")
        }
    }

    @Test func documentedDivergenceKeepsDataDataSketchesLoses() throws {
        struct Case: Decodable { let lg_max_k: Int; let images: [String]; let python_estimate: Double; let distinct: Int }
        struct File: Decodable { let cases: [Case] }
        for c in try Fixtures.json(File.self, "hll/union-divergence.json").cases {
            var union = try HLLUnion(lgMaxK: c.lg_max_k)
            for image in c.images { union.update(try HLLSketch(serialized: [UInt8](hex: image))) }
            let truth = Double(c.distinct)
            let threeSigma = 3 * 1.03896 / Double(1 << c.lg_max_k).squareRoot()
            // Python reports about half of the distinct items; Vigil all of them within 3 RSE.
            #expect(c.python_estimate < 0.6 * truth)
            #expect(abs(union.estimate - truth) <= truth * threeSigma, "lgMaxK \(c.lg_max_k): \(union.estimate) vs \(truth)")
        }
    }

    @Test func knownImagesFromTheReference() throws {
        var sketch = try HLLSketch(lgK: 12)
        #expect(sketch.serialized().hex == "0201070c030c0008")
        for fruit in ["apple", "banana", "cherry"] { sketch.update(fruit) }
        #expect(sketch.serialized().hex == "0201070c030803088414b608be4fd70aa63d4704")
        var ints = try HLLSketch(lgK: 12)
        for i in 0..<10000 { ints.update(Int64(i)) }
        let image = ints.serialized()
        #expect(image.count == 4136)
        #expect(Array(image[0..<16]).hex == "0a01070c0008000a388366e67b77c340")
    }
}
