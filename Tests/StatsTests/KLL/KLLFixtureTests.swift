import Testing
@testable import Stats

/// Images written by the real `datasketches==5.2.0` and the answers it gave about them.
@Suite struct KLLFixtureTests {
    static let cases: [KLLFixtureCase] = (try? KLLFixtureFile.load().cases) ?? []

    @Test func fixturesArePresent() throws {
        let file = try KLLFixtureFile.load()
        #expect(file.generator == "datasketches==5.2.0")
        #expect(file.cases.count >= 20)
    }

    @Test(arguments: cases)
    func decodesToTheSameSummary(_ fixture: KLLFixtureCase) throws {
        let sketch = try KLLFloatsSketch(serialized: try fixture.image())
        #expect(sketch.k == fixture.k)
        #expect(sketch.n == fixture.n)
        #expect(sketch.isEmpty == fixture.isEmpty)
        #expect(sketch.isEstimationMode == fixture.isEstimationMode)
        #expect(sketch.numRetained == fixture.numRetained)
        #expect(sketch.normalizedRankError(pmf: false) == fixture.rankError)
        #expect(sketch.normalizedRankError(pmf: true) == fixture.rankErrorPMF)
        if let min = fixture.min, let max = fixture.max {
            #expect(try sketch.minItem?.bitPattern == Float(fixtureBits: min).bitPattern)
            #expect(try sketch.maxItem?.bitPattern == Float(fixtureBits: max).bitPattern)
        } else {
            #expect(sketch.minItem == nil)
            #expect(sketch.maxItem == nil)
        }
    }

    @Test(arguments: cases)
    func reserializesToTheSameBytes(_ fixture: KLLFixtureCase) throws {
        let image = try fixture.image()
        let sketch = try KLLFloatsSketch(serialized: image)
        #expect(sketch.serializedByteCount == image.count)
        #expect(sketch.serialized() == image)
    }

    @Test(arguments: cases.filter { !$0.isEmpty })
    func answersExactlyAsDataSketches(_ fixture: KLLFixtureCase) throws {
        let sketch = try KLLFloatsSketch(serialized: try fixture.image())
        let view = sketch.sortedView()
        for expected in fixture.quantiles ?? [] {
            let inclusive = try Float(fixtureBits: expected.inclusive)
            let exclusive = try Float(fixtureBits: expected.exclusive)
            #expect(try sketch.quantile(rank: expected.rank, inclusive: true) == inclusive, "rank \(expected.rank)")
            #expect(try sketch.quantile(rank: expected.rank, inclusive: false) == exclusive, "rank \(expected.rank)")
            #expect(try view.quantile(rank: expected.rank, inclusive: true) == inclusive)
        }
        let ranks = fixture.quantiles?.map(\.rank) ?? []
        let inclusiveQuantiles = try fixture.quantiles?.map { try Float(fixtureBits: $0.inclusive) } ?? []
        #expect(try sketch.quantiles(ranks: ranks) == inclusiveQuantiles)

        for expected in fixture.ranks ?? [] {
            let item = try Float(fixtureBits: expected.item)
            #expect(sketch.rank(of: item, inclusive: true) == expected.inclusive, "item \(item)")
            #expect(sketch.rank(of: item, inclusive: false) == expected.exclusive, "item \(item)")
            #expect(view.rank(of: item, inclusive: true) == expected.inclusive, "item \(item)")
            #expect(view.rank(of: item, inclusive: false) == expected.exclusive, "item \(item)")
        }

        let splitPoints = try (fixture.splitPoints ?? []).map { try Float(fixtureBits: $0) }
        #expect(try sketch.pmf(splitPoints: splitPoints, inclusive: true) == fixture.pmfInclusive)
        #expect(try sketch.pmf(splitPoints: splitPoints, inclusive: false) == fixture.pmfExclusive)
        #expect(try sketch.cdf(splitPoints: splitPoints, inclusive: true) == fixture.cdfInclusive)
        #expect(try sketch.cdf(splitPoints: splitPoints, inclusive: false) == fixture.cdfExclusive)
    }

    /// Without a compaction no coin is flipped, so Swift must write DataSketches' bytes exactly.
    @Test(arguments: cases.filter { !$0.isEstimationMode && !$0.queriedBeforeSerializing })
    func exactModeSketchesBuiltInSwiftMatchByteForByte(_ fixture: KLLFixtureCase) throws {
        let sketch = try fixture.buildInSwift(seed: 1)
        #expect(sketch.serialized() == (try fixture.image()))
    }

    /// Past a compaction the coins differ, so compare both sketches with the truth instead.
    @Test(arguments: cases.filter(\.isEstimationMode))
    func estimatingSketchesBuiltInSwiftAreAsAccurate(_ fixture: KLLFixtureCase) throws {
        let values = try fixture.allValues()
        let truth = KLLTrueRanks(values)
        let python = try KLLFloatsSketch(serialized: try fixture.image())
        let swift = try fixture.buildInSwift(seed: 7)
        #expect(swift.n == python.n)
        #expect(swift.minItem == python.minItem)
        #expect(swift.maxItem == python.maxItem)
        #expect(swift.minK == python.minK)
        #expect(swift.isEstimationMode)
        let epsilon = swift.normalizedRankError(pmf: false)
        for step in 0...100 {
            let rank = Double(step) / 100
            for sketch in [python, swift] {
                let quantile = try sketch.quantile(rank: rank)
                #expect(truth.rankDistance(ofQuantile: quantile, toRank: rank) <= epsilon, "rank \(rank)")
            }
        }
        for probe in values.prefix(200) {
            let exact = truth.rank(of: probe, inclusive: true)
            #expect(abs(swift.rank(of: probe) - exact) <= epsilon, "item \(probe)")
            #expect(abs(python.rank(of: probe) - exact) <= epsilon, "item \(probe)")
        }
    }

    @Test func staticRankErrorsMatch() throws {
        for expected in try KLLFixtureFile.load().staticRankErrors {
            #expect(KLLFloatsSketch.normalizedRankError(k: expected.k, pmf: false) == expected.rankError)
            #expect(KLLFloatsSketch.normalizedRankError(k: expected.k, pmf: true) == expected.rankErrorPMF)
        }
    }
}
