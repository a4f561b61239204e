import Testing
@testable import Stats

/// Swift against images and answers written by the Python `datasketches==5.2.0` wheel.
@Suite struct CountMinInteropTests {
    static let file: CountMinFixtureFile? = try? CountMinFixtureFile.load()

    @Test func fixturesCoverEveryRequiredSeedAndShape() throws {
        let file = try #require(Self.file)
        let combos = Set(file.cases.map { "\($0.seed) \($0.num_hashes)x\($0.num_buckets)" })
        for seed in ["9001", "1234", "0", String((UInt64(1) << 40) + 7)] {
            for shape in ["4x1000", "3x5", "7x65536"] {
                #expect(combos.contains("\(seed) \(shape)"), "missing \(seed) \(shape)")
            }
        }
        #expect(file.cases.contains { $0.parts != nil })
    }

    @Test(arguments: try CountMinFixtureFile.load().cases)
    func swiftSketchSerializesLikePython(_ fixture: CountMinFixtureFile.Case) throws {
        let sketch = try fixture.buildInSwift()
        let python = try fixture.imageBytes()
        let swift = sketch.serialized()
        #expect(swift.count == python.count)
        #expect(swift == python, "first difference at byte \(firstDifference(swift, python))")
        #expect(sketch.totalWeight == fixture.total_weight)
        #expect(sketch.relativeError == fixture.relative_error)
    }

    @Test(arguments: try CountMinFixtureFile.load().cases)
    func decodedPythonImageAnswersLikePython(_ fixture: CountMinFixtureFile.Case) throws {
        let python = try fixture.imageBytes()
        let sketch = try CountMinSketch(serialized: python, seed: fixture.seedValue)
        #expect(sketch.numHashes == fixture.num_hashes)
        #expect(sketch.numBuckets == fixture.num_buckets)
        #expect(sketch.totalWeight == fixture.total_weight)
        for query in fixture.queries {
            #expect(sketch.estimate(query.item) == query.estimate, "estimate \(query.item)")
            #expect(sketch.lowerBound(query.item) == query.lower, "lower \(query.item)")
            #expect(sketch.upperBound(query.item) == query.upper, "upper \(query.item)")
        }
        #expect(sketch.serialized() == python)
        #expect(sketch == (try fixture.buildInSwift()))
    }

    @Test(arguments: try CountMinFixtureFile.load().cases)
    func emptySketchMatchesPython(_ fixture: CountMinFixtureFile.Case) throws {
        let empty = try CountMinSketch(numHashes: fixture.num_hashes, numBuckets: fixture.num_buckets, seed: fixture.seedValue)
        #expect(empty.serialized() == [UInt8](hex: fixture.empty))
        let decoded = try CountMinSketch(serialized: [UInt8](hex: fixture.empty), seed: fixture.seedValue)
        #expect(decoded.isEmpty)
        #expect(decoded == empty)
    }

    @Test func suggestionsMatchPython() throws {
        let file = try #require(Self.file)
        for pair in file.suggestions.buckets {
            #expect(try CountMinSketch.suggestNumBuckets(relativeError: pair[0]) == Int(pair[1]), "error \(pair[0])")
        }
        for pair in file.suggestions.hashes {
            #expect(try CountMinSketch.suggestNumHashes(confidence: pair[0]) == Int(pair[1]), "confidence \(pair[0])")
        }
    }

    private func firstDifference(_ a: [UInt8], _ b: [UInt8]) -> Int {
        zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
    }
}
