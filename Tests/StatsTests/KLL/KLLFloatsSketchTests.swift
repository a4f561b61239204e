import Testing
@testable import Stats

@Suite struct KLLFloatsSketchTests {
    @Test func kBelowEightIsATypedError() {
        #expect(throws: KLLSketchError.kOutOfRange(k: 7, allowed: 8...65535)) { try KLLFloatsSketch(k: 7) }
        #expect(throws: KLLSketchError.kOutOfRange(k: 0, allowed: 8...65535)) { try KLLFloatsSketch(k: 0) }
        #expect(throws: Never.self) { try KLLFloatsSketch(k: 8) }
        #expect(throws: Never.self) { try KLLFloatsSketch(k: .max) }
    }

    @Test func emptySketch() throws {
        let sketch = try KLLFloatsSketch()
        #expect(sketch.k == 200)
        #expect(sketch.isEmpty)
        #expect(!sketch.isEstimationMode)
        #expect(sketch.n == 0)
        #expect(sketch.numRetained == 0)
        #expect(sketch.minItem == nil)
        #expect(sketch.maxItem == nil)
        #expect(sketch.rank(of: 1).isNaN)
        #expect(sketch.sortedView().rank(of: 1).isNaN)
        #expect(throws: KLLSketchError.emptySketch) { try sketch.quantile(rank: 0.5) }
        #expect(throws: KLLSketchError.emptySketch) { try sketch.quantiles(ranks: [0.5]) }
        #expect(throws: KLLSketchError.emptySketch) { try sketch.pmf(splitPoints: [1]) }
        #expect(throws: KLLSketchError.emptySketch) { try sketch.cdf(splitPoints: [1]) }
        #expect(sketch.serialized() == [0x02, 0x01, 0x0f, 0x01, 0xc8, 0x00, 0x08, 0x00])
        #expect(sketch.invariantViolations().isEmpty)
    }

    @Test func nanIsIgnored() throws {
        var sketch = try KLLFloatsSketch()
        sketch.update(.nan)
        #expect(sketch.isEmpty)
        sketch.update(3)
        sketch.update(-.nan)
        #expect(sketch.n == 1)
        #expect(sketch.minItem == 3 && sketch.maxItem == 3)
    }

    @Test func singleItemUsesTheShortForm() throws {
        var sketch = try KLLFloatsSketch(k: 200)
        sketch.update(1)
        #expect(sketch.serialized() == [0x02, 0x02, 0x0f, 0x04, 0xc8, 0x00, 0x08, 0x00, 0x00, 0x00, 0x80, 0x3f])
        #expect(try sketch.quantile(rank: 0) == 1)
        #expect(try sketch.quantile(rank: 1, inclusive: false) == 1)
        #expect(sketch.rank(of: 1) == 1)
        #expect(sketch.rank(of: 1, inclusive: false) == 0)
    }

    @Test func exactModeAnswersAreExact() throws {
        var sketch = try KLLFloatsSketch(k: 200)
        var generator = SplitMix64(seed: 3)
        for value in (1...100).map(Float.init).shuffled(using: &generator) { sketch.update(value) }
        #expect(!sketch.isEstimationMode)
        #expect(sketch.numRetained == 100)
        #expect(sketch.minItem == 1 && sketch.maxItem == 100)
        #expect(try sketch.quantile(rank: 0) == 1)
        #expect(try sketch.quantile(rank: 0.5) == 50)
        #expect(try sketch.quantile(rank: 0.5, inclusive: false) == 51)
        #expect(try sketch.quantile(rank: 1) == 100)
        #expect(try sketch.quantile(rank: 1, inclusive: false) == 100)
        #expect(sketch.rank(of: 50) == 0.5)
        #expect(sketch.rank(of: 50, inclusive: false) == 0.49)
        #expect(sketch.rank(of: 0) == 0)
        #expect(sketch.rank(of: 1000) == 1)
        #expect(try sketch.cdf(splitPoints: [10, 90]) == [0.1, 0.9, 1])
        #expect(try sketch.pmf(splitPoints: [10, 90], inclusive: false) == [0.09, 0.89 - 0.09, 1 - 0.89])
    }

    @Test func queryArgumentsAreValidated() throws {
        var sketch = try KLLFloatsSketch()
        for value in 0..<10 { sketch.update(Float(value)) }
        for rank in [-0.01, 1.01, .nan, .infinity] {
            #expect(throws: KLLSketchError.self) { try sketch.quantile(rank: rank) }
        }
        #expect(throws: KLLSketchError.rankOutOfRange(1.5)) { try sketch.quantile(rank: 1.5) }
        #expect(throws: KLLSketchError.rankOutOfRange(-1)) { try sketch.sortedView().quantile(rank: -1) }
        #expect(throws: KLLSketchError.splitPointsNotIncreasing(index: 1)) { try sketch.pmf(splitPoints: [1, 1]) }
        #expect(throws: KLLSketchError.splitPointsNotIncreasing(index: 2)) { try sketch.cdf(splitPoints: [1, 3, 2]) }
        #expect(throws: KLLSketchError.splitPointIsNaN(index: 1)) { try sketch.cdf(splitPoints: [1, .nan]) }
        #expect(throws: KLLSketchError.splitPointIsNaN(index: 0)) { try sketch.sortedView().pmf(splitPoints: [.nan]) }
        #expect(try sketch.cdf(splitPoints: []) == [1])
        #expect(KLLSketchError.rankOutOfRange(2).description.contains("outside 0…1"))
    }

    @Test func sameSeedSameSketchDifferentSeedSameGuarantees() throws {
        func build(seed: UInt64) throws -> KLLFloatsSketch {
            var sketch = try KLLFloatsSketch(k: 64, randomSeed: seed)
            var generator = SplitMix64(seed: 99)
            for _ in 0..<20_000 { sketch.update(Float(generator.next() % 100_000)) }
            return sketch
        }
        let first = try build(seed: 1)
        #expect(try build(seed: 1).serialized() == first.serialized())
        let other = try build(seed: 2)
        #expect(other.serialized() != first.serialized())
        #expect(other.n == first.n && other.minItem == first.minItem && other.maxItem == first.maxItem)
    }

    @Test func growsLevelsAndKeepsItsShape() throws {
        var sketch = try KLLFloatsSketch(k: 8, randomSeed: 5)
        var generator = SplitMix64(seed: 5)
        var levelsSeen = Set<Int>()
        for step in 1...50_000 {
            sketch.update(Float(generator.next() >> 40))
            levelsSeen.insert(sketch.numLevels)
            if step.isMultiple(of: 997) {
                #expect(sketch.invariantViolations().isEmpty, "step \(step): \(sketch.invariantViolations())")
            }
        }
        #expect(sketch.isEstimationMode)
        #expect(levelsSeen == Set(1...sketch.numLevels))
        #expect(sketch.numLevels <= KLLCapacity.maxNumLevels(forN: sketch.n))
        #expect(sketch.numRetained <= KLLCapacity.totalCapacity(k: 8, numLevels: sketch.numLevels))
        #expect(sketch.serialized().count == sketch.serializedByteCount)
    }

    @Test(arguments: [1, 2, 10, 199, 200, 201, 1_000, 30_000])
    func swiftImagesRoundTrip(count: Int) throws {
        var sketch = try KLLFloatsSketch(k: 200, randomSeed: UInt64(count))
        var generator = SplitMix64(seed: UInt64(count))
        for _ in 0..<count { sketch.update(Float(Int64(bitPattern: generator.next()) >> 44)) }
        let image = sketch.serialized()
        var decoded = try KLLFloatsSketch(serialized: image)
        #expect(decoded.serialized() == image)
        #expect(decoded.n == sketch.n && decoded.minK == sketch.minK && decoded.numRetained == sketch.numRetained)
        for rank in stride(from: 0.0, through: 1.0, by: 0.05) {
            #expect(try decoded.quantile(rank: rank) == sketch.quantile(rank: rank))
        }
        // A decoded sketch keeps working.
        for value in 0..<5_000 { decoded.update(Float(value)) }
        #expect(decoded.n == sketch.n + 5_000)
        #expect(decoded.invariantViolations().isEmpty)
    }

    @Test func afterQueryingLevelZeroStaysAsItWas() throws {
        var sketch = try KLLFloatsSketch()
        for value in [5, 1, 4, 2, 3] as [Float] { sketch.update(value) }
        let before = sketch.serialized()
        _ = try sketch.quantile(rank: 0.5)
        _ = sketch.sortedView()
        #expect(sketch.serialized() == before, "queries are non-mutating")
    }

    @Test func sortedViewIsCumulative() throws {
        var sketch = try KLLFloatsSketch(k: 8, randomSeed: 1)
        for value in 0..<1_000 { sketch.update(Float(value % 37)) }
        let view = sketch.sortedView()
        #expect(view.items.count == sketch.numRetained)
        #expect(view.totalWeight == sketch.n)
        #expect(view.items == view.items.sorted())
        #expect(zip(view.cumulativeWeights, view.cumulativeWeights.dropFirst()).allSatisfy { $0 < $1 })
        for probe in stride(from: Float(-1), through: 38, by: 0.5) {
            #expect(view.rank(of: probe) == sketch.rank(of: probe))
            #expect(view.rank(of: probe, inclusive: false) == sketch.rank(of: probe, inclusive: false))
        }
    }

    @Test func rankErrorFollowsDataSketchesFormula() throws {
        #expect(abs(KLLFloatsSketch.normalizedRankError(k: 200, pmf: false) - 0.0133) < 0.0001)
        #expect(abs(KLLFloatsSketch.normalizedRankError(k: 200, pmf: true) - 0.0165) < 0.0001)
        #expect(try KLLFloatsSketch(k: 100).normalizedRankError(pmf: false)
            == KLLFloatsSketch.normalizedRankError(k: 100, pmf: false))
    }
}
