import Testing
@testable import Stats

@Suite struct KLLMergeTests {
    static func sketch(k: UInt16, seed: UInt64, values: some Sequence<Float>) throws -> KLLFloatsSketch {
        var sketch = try KLLFloatsSketch(k: k, randomSeed: seed)
        for value in values { sketch.update(value) }
        return sketch
    }

    static func uniform(count: Int, seed: UInt64, offset: Float = 0) -> [Float] {
        var generator = SplitMix64(seed: seed)
        return (0..<count).map { _ in Float(generator.next() >> 40) / 16_777_216 * 1000 + offset }
    }

    @Test(arguments: 0..<4 as Range<UInt64>)
    func shardsMergeIntoAnAccurateWhole(seed: UInt64) throws {
        var all: [Float] = []
        var merged = try KLLFloatsSketch(k: 200, randomSeed: seed)
        for shard in 0..<8 {
            let values = Self.uniform(count: 1_000 + 1_500 * shard, seed: seed * 100 + UInt64(shard), offset: Float(shard) * 200)
            all += values
            merged.merge(try Self.sketch(k: 200, seed: seed &+ UInt64(shard), values: values))
            #expect(merged.invariantViolations().isEmpty, "seed \(seed) shard \(shard)")
        }
        let truth = KLLTrueRanks(all)
        #expect(merged.n == UInt64(all.count))
        #expect(merged.minItem == truth.sorted.first && merged.maxItem == truth.sorted.last)
        #expect(merged.minK == 200)
        let epsilon = merged.normalizedRankError(pmf: false)
        for step in 0...40 {
            let rank = Double(step) / 40
            let distance = truth.rankDistance(ofQuantile: try merged.quantile(rank: rank), toRank: rank)
            #expect(distance <= epsilon, "seed \(seed): rank \(rank) is \(distance) off")
        }
    }

    @Test func differentKTracksTheSmallestEstimatingK() throws {
        let big = try Self.sketch(k: 200, seed: 1, values: Self.uniform(count: 30_000, seed: 1))
        let smallExact = try Self.sketch(k: 50, seed: 2, values: Self.uniform(count: 40, seed: 2))
        let smallEstimating = try Self.sketch(k: 100, seed: 3, values: Self.uniform(count: 30_000, seed: 3))

        var merged = big
        merged.merge(smallExact)
        #expect(merged.k == 200 && merged.minK == 200, "an exact sketch does not lower min k")
        merged.merge(smallEstimating)
        #expect(merged.k == 200 && merged.minK == 100)
        #expect(merged.normalizedRankError(pmf: false) == KLLFloatsSketch.normalizedRankError(k: 100, pmf: false))
        #expect(merged.n == 60_040)
        #expect(merged.invariantViolations().isEmpty)

        var intoSmall = smallExact
        intoSmall.merge(big)
        #expect(intoSmall.k == 50 && intoSmall.minK == 50)
        #expect(intoSmall.invariantViolations().isEmpty)
        let truth = KLLTrueRanks(Self.uniform(count: 30_000, seed: 1) + Self.uniform(count: 40, seed: 2))
        let epsilon = intoSmall.normalizedRankError(pmf: false)
        for step in 0...20 {
            let rank = Double(step) / 20
            #expect(truth.rankDistance(ofQuantile: try intoSmall.quantile(rank: rank), toRank: rank) <= epsilon)
        }
    }

    @Test func emptyOperandsChangeNothingButTheObvious() throws {
        let full = try Self.sketch(k: 200, seed: 4, values: Self.uniform(count: 5_000, seed: 4))
        var unchanged = full
        unchanged.merge(try KLLFloatsSketch(k: 8))
        #expect(unchanged.serialized() == full.serialized())

        var fromEmpty = try KLLFloatsSketch(k: 200)
        fromEmpty.merge(full)
        #expect(fromEmpty.n == full.n && fromEmpty.minItem == full.minItem && fromEmpty.maxItem == full.maxItem)
        #expect(fromEmpty.numRetained <= KLLCapacity.totalCapacity(k: 200, numLevels: fromEmpty.numLevels))
        #expect(fromEmpty.invariantViolations().isEmpty)
    }

    @Test func exactSketchesMergeExactly() throws {
        var left = try Self.sketch(k: 200, seed: 0, values: (0..<50).map(Float.init))
        left.merge(try Self.sketch(k: 200, seed: 0, values: (50..<100).map(Float.init)))
        #expect(!left.isEstimationMode && left.n == 100 && left.numRetained == 100)
        #expect(try left.quantile(rank: 0.5) == 49)
        #expect(left.rank(of: 74.5) == 0.75)
    }

    @Test func mergingWithItselfDoublesTheWeight() throws {
        var sketch = try Self.sketch(k: 64, seed: 6, values: Self.uniform(count: 10_000, seed: 6))
        let median = try sketch.quantile(rank: 0.5)
        sketch.merge(sketch)
        #expect(sketch.n == 20_000)
        #expect(sketch.invariantViolations().isEmpty)
        #expect(abs(sketch.rank(of: median) - 0.5) <= sketch.normalizedRankError(pmf: false))
    }

    /// Images from the real DataSketches merge in Swift and stay accurate.
    @Test func dataSketchesImagesMergeInSwift() throws {
        let fixtures = try KLLFixtureFile.load().cases
        let names = ["k200_uniform_n100000", "merged_k200_k100", "k8_uniform_n1000", "k200_extremes"]
        var merged = try KLLFloatsSketch(k: 200)
        var all: [Float] = []
        for name in names {
            let fixture = try #require(fixtures.first { $0.name == name })
            merged.merge(try KLLFloatsSketch(serialized: try fixture.image()))
            all += try fixture.allValues()
            #expect(merged.invariantViolations().isEmpty, "after \(name)")
        }
        let truth = KLLTrueRanks(all)
        #expect(merged.n == UInt64(all.count))
        #expect(merged.minItem == -.infinity && merged.maxItem == .infinity)
        #expect(merged.minK == 8)
        let epsilon = merged.normalizedRankError(pmf: false)
        for step in 0...20 {
            let rank = Double(step) / 20
            #expect(truth.rankDistance(ofQuantile: try merged.quantile(rank: rank), toRank: rank) <= epsilon, "rank \(rank)")
        }
        let image = merged.serialized()
        #expect(try KLLFloatsSketch(serialized: image).serialized() == image)
    }

    /// A valid but extreme image: 61 levels, an item of weight 2⁶⁰ on top. Merging it with
    /// itself adds levels past DataSketches' usual depth limit without trapping.
    @Test func deepSketchesMergeWithoutTrapping() throws {
        let numLevels = 61
        let capacity = KLLCapacity.totalCapacity(k: 8, numLevels: numLevels)
        var image: [UInt8] = [0x05, 0x01, 0x0f, 0x00, 0x08, 0x00, 0x08, 0x00]
        image.appendLittleEndian(UInt64(1) << 60 + 1)
        image.appendLittleEndian(UInt16(8))
        image += [UInt8(numLevels), 0]
        // One item on level 0 (slot capacity-2), one on level 60 (slot capacity-1).
        image.appendLittleEndian(UInt32(capacity - 2))
        for _ in 1..<numLevels { image.appendLittleEndian(UInt32(capacity - 1)) }
        image.appendLittleEndian(Float(1))
        image.appendLittleEndian(Float(2))
        image.appendLittleEndian(Float(1))
        image.appendLittleEndian(Float(2))

        var sketch = try KLLFloatsSketch(serialized: image)
        #expect(sketch.numLevels == 61 && sketch.n == (1 << 60) + 1)
        #expect(try sketch.quantile(rank: 0.5) == 2)
        for _ in 0..<2 {
            sketch.merge(sketch)
            #expect(sketch.invariantViolations().isEmpty)
        }
        #expect(sketch.n == 4 * ((1 << 60) + 1))
        for value in 0..<100 { sketch.update(Float(value)) }
        #expect(sketch.invariantViolations().isEmpty)
        #expect(try KLLFloatsSketch(serialized: sketch.serialized()).n == sketch.n)
    }
}
