import Testing
@testable import Stats

@Suite struct FrequentItemsSketchTests {
    @Test func mapSizeIsValidated() throws {
        for bad in [-1, 0, 2, 27, 64] {
            #expect(throws: FrequentItemsError.lgMaxMapSizeOutOfRange(bad, allowed: 3...26)) {
                try FrequentItemsSketch(lgMaxMapSize: bad)
            }
        }
        #expect(try FrequentItemsSketch(lgMaxMapSize: 3).lgCurMapSize == 3)
        #expect(try FrequentItemsSketch(lgMaxMapSize: 26).lgMaxMapSize == 26)
    }

    @Test func epsilonIsThreePointFiveOverMapSize() throws {
        #expect(try FrequentItemsSketch(lgMaxMapSize: 3).epsilon == 0.4375)
        #expect(FrequentItemsSketch.epsilon(lgMaxMapSize: 10) == 3.5 / 1024)
        #expect(FrequentItemsSketch.aprioriError(lgMaxMapSize: 10, estimatedTotalWeight: 2048) == 7)
    }

    @Test func itemsAreUTF8ByteStringsAndZeroWeightsAreIgnored() throws {
        var sketch = try FrequentItemsSketch(lgMaxMapSize: 5)
        sketch.update("é", weight: 2)
        sketch.update("e\u{301}")
        sketch.update("")
        sketch.update("x", weight: 0)
        #expect(sketch.numActiveItems == 3)
        #expect(sketch.estimate("é") == 2 && sketch.estimate("e\u{301}") == 1 && sketch.estimate("") == 1)
        #expect(sketch.estimate("x") == 0 && sketch.upperBound("x") == 0)
        #expect(sketch.totalWeight == 4)
        #expect(try FrequentItemsSketch(serialized: sketch.serialized()) == sketch)
    }

    /// Seven distinct items of weight 1 overflow an lg 3 map; the purge median is 1, so all go.
    @Test func purgingEverythingLeavesAnEmptySketchThatStillCountsWeight() throws {
        var sketch = try FrequentItemsSketch(lgMaxMapSize: 3)
        for n in 0..<7 { sketch.update("item-\(n)") }
        #expect(sketch.isEmpty && sketch.numActiveItems == 0)
        #expect(sketch.totalWeight == 7 && sketch.maximumError == 1)
        #expect(sketch.upperBound("item-0") == 1)
        #expect(sketch.serialized() == [1, 1, 10, 3, 3, 5, 0, 0])
        var other = try FrequentItemsSketch(lgMaxMapSize: 3)
        other.update("kept", weight: 3)
        let before = other
        other.merge(sketch)
        #expect(other == before, "an empty sketch merges as nothing, as in DataSketches")
    }

    @Test func weightsSaturateInsteadOfTrapping() throws {
        var sketch = try FrequentItemsSketch(lgMaxMapSize: 3)
        sketch.update("a", weight: .max)
        sketch.update("a", weight: .max)
        sketch.update("b", weight: 5)
        #expect(sketch.totalWeight == .max && sketch.estimate("a") == .max)
        #expect(try FrequentItemsSketch(serialized: sketch.serialized()) == sketch)
    }

    @Test func rowsSortByEstimateThenBytes() throws {
        var sketch = try FrequentItemsSketch(lgMaxMapSize: 4)
        for (item, weight) in [("b", 5), ("a", 5), ("c", 9), ("", 5), ("d", 1)] { sketch.update(item, weight: UInt64(weight)) }
        let rows = sketch.frequentItems(errorType: .noFalsePositives)
        #expect(rows.map(\.item) == ["c", "", "a", "b", "d"])
        #expect(rows[0] == FrequentItemsSketch.Row(item: "c", estimate: 9, lowerBound: 9, upperBound: 9))
        #expect(sketch.frequentItems(errorType: .noFalseNegatives, threshold: 5).map(\.item) == ["c"])
    }

    /// Random streams: the bounds hold every true count, the error stays within ε·N, both
    /// frequent-item lists keep their promise, merges keep the bounds, and images round-trip.
    @Test(arguments: [UInt64(1), 2, 3, 4, 5, 6, 7, 8])
    func randomStreamsKeepTheGuarantees(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let lgMax = Int(rng.next() % 4) + 3
        let vocabulary = (0..<Int(rng.next() % 300 + 20)).map { "k\($0)-\(rng.next() % 1000)" }
        var parts = [try FrequentItemsSketch(lgMaxMapSize: lgMax), try FrequentItemsSketch(lgMaxMapSize: lgMax)]
        var truth: [String: UInt64] = [:]
        for step in 0..<1500 {
            let skewed = Double(rng.next() % 1_000_000) / 1_000_000
            let item = vocabulary[Int(skewed * skewed * skewed * Double(vocabulary.count))]
            let weight = rng.next() % 10 == 0 ? rng.next() % 100 + 1 : 1
            truth[item, default: 0] += weight
            parts[step % 2].update(item, weight: weight)
        }
        var merged = parts[0]
        merged.merge(parts[1])
        for sketch in [merged] {
            #expect(sketch.totalWeight == truth.values.reduce(0, +), "seed \(seed)")
            #expect(Double(sketch.maximumError) <= sketch.epsilon * Double(sketch.totalWeight), "seed \(seed)")
            for item in vocabulary {
                let count = truth[item] ?? 0
                #expect(sketch.lowerBound(item) <= count && count <= sketch.upperBound(item), "seed \(seed) item \(item)")
            }
            for threshold in [nil, sketch.maximumError + 1, sketch.totalWeight / 20, sketch.totalWeight / 200] {
                let cut = threshold ?? sketch.maximumError
                let positives = sketch.frequentItems(errorType: .noFalsePositives, threshold: threshold)
                #expect(positives.allSatisfy { (truth[$0.item] ?? 0) > cut }, "seed \(seed) false positive")
                // Untracked items may weigh up to the maximum error, so no false negatives is
                // promised only for thresholds at or above it.
                guard cut >= sketch.maximumError else { continue }
                let listed = Set(sketch.frequentItems(errorType: .noFalseNegatives, threshold: threshold).map(\.item))
                let heavy = truth.filter { $0.value > cut }.keys
                #expect(heavy.allSatisfy(listed.contains), "seed \(seed) false negative at \(cut)")
            }
            let decoded = try FrequentItemsSketch(serialized: sketch.serialized())
            #expect(decoded == sketch, "seed \(seed)")
            #expect(try FrequentItemsSketch(serialized: decoded.serialized()) == decoded, "seed \(seed)")
        }
    }
}
