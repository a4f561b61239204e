import Testing
@testable import Stats

@Suite struct CountMinSketchTests {
    @Test func rejectsShapesDataSketchesRejects() {
        #expect(throws: CountMinError.numHashesOutOfRange(0)) { try CountMinSketch(numHashes: 0, numBuckets: 10) }
        #expect(throws: CountMinError.numHashesOutOfRange(256)) { try CountMinSketch(numHashes: 256, numBuckets: 10) }
        #expect(throws: CountMinError.numBucketsOutOfRange(2)) { try CountMinSketch(numHashes: 3, numBuckets: 2) }
        #expect(throws: CountMinError.tooManyCells(numHashes: 4, numBuckets: 1 << 28)) {
            try CountMinSketch(numHashes: 4, numBuckets: 1 << 28)
        }
        #expect(throws: CountMinError.tooManyCells(numHashes: 1, numBuckets: Int(UInt32.max) + 5)) {
            try CountMinSketch(numHashes: 1, numBuckets: Int(UInt32.max) + 5)
        }
        #expect((try? CountMinSketch(numHashes: 255, numBuckets: 3)) != nil)
    }

    @Test func suggestionsValidateTheirInput() throws {
        for bad in [0.0, -0.5, .nan, .infinity, 1e-12] {
            #expect(throws: CountMinError.self) { try CountMinSketch.suggestNumBuckets(relativeError: bad) }
        }
        for bad in [-0.01, 1.01, .nan] {
            #expect(throws: CountMinError.self) { try CountMinSketch.suggestNumHashes(confidence: bad) }
        }
        #expect(try CountMinSketch.suggestNumHashes(confidence: 0) == 1)
        #expect(try CountMinSketch.suggestNumHashes(confidence: 1) == 255)
        #expect(try CountMinSketch.suggestNumBuckets(relativeError: 10) == 1)
    }

    @Test func relativeErrorIsEOverBuckets() throws {
        let sketch = try CountMinSketch(numHashes: 3, numBuckets: 1000)
        #expect(sketch.relativeError == 0.002718281828459045)
        #expect(CountMinSketch.euler == 2.718281828459045)
    }

    @Test func ignoredItemsAndWeightsLeaveTheSketchUnchanged() throws {
        let empty = try CountMinSketch(numHashes: 3, numBuckets: 50)
        var sketch = empty
        sketch.update("")
        sketch.update(SketchBytes([]), weight: 4)
        sketch.update("x", weight: 0)
        sketch.update("x", weight: .nan)
        sketch.update("x", weight: -.infinity)
        #expect(sketch == empty)
        #expect(sketch.isEmpty)
        #expect(sketch.estimate("") == 0 && sketch.upperBound("") == 0 && sketch.lowerBound("") == 0)
        #expect(sketch.serialized().count == 16)
    }

    @Test func negativeWeightsCountByMagnitude() throws {
        var sketch = try CountMinSketch(numHashes: 4, numBuckets: 100)
        sketch.update("a", weight: 5)
        sketch.update("a", weight: -2)
        sketch.update(Int64(7), weight: -1.5)
        #expect(sketch.totalWeight == 8.5)
        #expect(sketch.estimate("a") <= 3)
        #expect(!sketch.isEmpty)
        #expect(try CountMinSketch(serialized: sketch.serialized()) == sketch)
    }

    @Test func itemTypesHashLikeTheirCanonicalForms() throws {
        var sketch = try CountMinSketch(numHashes: 5, numBuckets: 1 << 16)
        sketch.update(Int32(-3), weight: 2)
        sketch.update(UInt64(9), weight: 1)
        #expect(sketch.estimate(Int64(-3)) == 2)
        #expect(sketch.estimate(Int(-3)) == 2)
        #expect(sketch.estimate(9 as Int64) == 1)
        sketch.update("é", weight: 1)
        #expect(sketch.estimate("e\u{301}") == 0, "canonically equivalent strings are different items")
    }

    @Test func mergeRequiresSameShapeAndSeed() throws {
        var sketch = try CountMinSketch(numHashes: 3, numBuckets: 10)
        sketch.update("a")
        let before = sketch
        #expect(throws: CountMinError.shapeMismatch(numHashes: 3, numBuckets: 10, otherNumHashes: 4, otherNumBuckets: 10)) {
            try sketch.merge(try CountMinSketch(numHashes: 4, numBuckets: 10))
        }
        #expect(throws: CountMinError.shapeMismatch(numHashes: 3, numBuckets: 10, otherNumHashes: 3, otherNumBuckets: 11)) {
            try sketch.merge(try CountMinSketch(numHashes: 3, numBuckets: 11))
        }
        #expect(throws: CountMinError.seedMismatch(seed: 9001, otherSeed: 1)) {
            try sketch.merge(try CountMinSketch(numHashes: 3, numBuckets: 10, seed: 1))
        }
        #expect(sketch == before)
        try sketch.merge(sketch)
        #expect(sketch.estimate("a") == 2 && sketch.totalWeight == 2)
    }

    /// With integer weights all sums are exact, so merging two halves equals one sketch of the
    /// whole stream, and estimates bound true counts as the Count-Min guarantee says.
    @Test(arguments: [UInt64(1), 2, 3, 4, 5, 6])
    func randomStreamsKeepTheGuarantees(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let buckets = [5, 37, 500][Int(seed % 3)]
        let hashes = Int(seed % 4) + 1
        var whole = try CountMinSketch(numHashes: hashes, numBuckets: buckets, seed: rng.next())
        var left = try CountMinSketch(numHashes: hashes, numBuckets: buckets, seed: whole.seed)
        var right = left
        var truth: [Int64: Double] = [:]
        for step in 0..<600 {
            let item = Int64(rng.next() % 200) - 100
            let weight = Double(rng.next() % 5 + 1)
            truth[item, default: 0] += weight
            whole.update(item, weight: weight)
            if step.isMultiple(of: 2) { left.update(item, weight: weight) } else { right.update(item, weight: weight) }
        }
        try left.merge(right)
        #expect(left == whole, "seed \(seed)")
        var beyondBound = 0
        for (item, count) in truth {
            #expect(whole.estimate(item) >= count, "seed \(seed) item \(item)")
            #expect(whole.lowerBound(item) == whole.estimate(item))
            #expect(whole.upperBound(item) >= whole.estimate(item))
            if whole.estimate(item) > count + whole.relativeError * whole.totalWeight { beyondBound += 1 }
        }
        // Each row fails with probability ≤ 1/e, and all rows must fail: allow a generous margin.
        #expect(Double(beyondBound) <= Double(truth.count) * 0.5, "seed \(seed): \(beyondBound) of \(truth.count) beyond e/w·N")
        #expect(try CountMinSketch(serialized: whole.serialized(), seed: whole.seed) == whole, "seed \(seed)")
    }
}
