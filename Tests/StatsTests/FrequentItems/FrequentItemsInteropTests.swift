import Testing
@testable import Stats

/// Swift against images and answers written by the Python `datasketches==5.2.0` wheel.
@Suite struct FrequentItemsInteropTests {
    @Test(arguments: try FrequentItemsFixtureFile.load().cases)
    func decodedPythonImageAnswersLikePython(_ fixture: FrequentItemsFixtureFile.Case) throws {
        let python = try fixture.imageBytes()
        let sketch = try FrequentItemsSketch(serialized: python)
        check(sketch, answers: fixture.decoded, fixture: fixture)
        #expect(sketch.lgMaxMapSize == fixture.lg_max)
        #expect(sketch.lgCurMapSize == fixture.lg_cur)
        // Decoding re-inserts items, which can move them; Python's decode → encode does the same.
        let expected = fixture.reserialized.map { [UInt8](hex: $0) } ?? python
        let same = sketch.serialized() == expected
        #expect(same, "\(fixture): re-encoded image differs from Python's decode → encode")
    }

    @Test(arguments: try FrequentItemsFixtureFile.load().cases)
    func swiftSketchMatchesPythonByteForByte(_ fixture: FrequentItemsFixtureFile.Case) throws {
        let sketch = try fixture.buildInSwift()
        check(sketch, answers: fixture.built, fixture: fixture)
        let same = sketch.serialized() == (try fixture.imageBytes())
        #expect(same, "\(fixture): Swift image differs from Python's")
    }

    @Test(arguments: try FrequentItemsFixtureFile.load().cases)
    func boundsHoldTheTrueCounts(_ fixture: FrequentItemsFixtureFile.Case) throws {
        let sketch = try fixture.buildInSwift()
        for (item, count) in zip(fixture.vocab, fixture.true) {
            #expect(sketch.lowerBound(item) <= count, "\(fixture) \(item)")
            #expect(sketch.upperBound(item) >= count, "\(fixture) \(item)")
        }
        #expect(sketch.totalWeight == fixture.true.reduce(0, +))
        // A merge is as accurate as its least accurate input.
        let epsilon = FrequentItemsSketch.epsilon(lgMaxMapSize: min(fixture.lg_max, fixture.lg_max_other ?? fixture.lg_max))
        #expect(Double(sketch.maximumError) <= epsilon * Double(sketch.totalWeight), "\(fixture)")
    }

    @Test func fixturesCoverPurgesMergesAndEmptiness() throws {
        let cases = try FrequentItemsFixtureFile.load().cases
        #expect(cases.contains { $0.built.maximum_error > 0 && $0.built.num_active > 0 }, "a purged stream")
        #expect(cases.contains { $0.built.num_active == 0 && $0.built.total_weight > 0 }, "purged to empty")
        #expect(cases.contains { $0.parts.count == 2 && $0.lg_max_other != $0.lg_max }, "merge of sizes")
        #expect(cases.contains { $0.built.total_weight > UInt64(UInt32.max) }, "64-bit weights")
        #expect(cases.contains { $0.vocab.contains("") && $0.vocab.contains("e\u{301}") })
    }

    private func check(
        _ sketch: FrequentItemsSketch, answers: FrequentItemsFixtureFile.Answers, fixture: FrequentItemsFixtureFile.Case
    ) {
        #expect(sketch.totalWeight == answers.total_weight, "\(fixture)")
        #expect(sketch.numActiveItems == answers.num_active, "\(fixture)")
        #expect(sketch.maximumError == answers.maximum_error, "\(fixture)")
        #expect(sketch.epsilon == answers.epsilon, "\(fixture)")
        let items = fixture.queryItems()
        var absentIndex = fixture.vocab.count
        for query in answers.queries {
            let item: String
            if query[0] >= 0 {
                item = items[query[0]]
            } else {
                item = items[absentIndex]
                absentIndex += 1
            }
            #expect(sketch.estimate(item) == UInt64(query[1]), "\(fixture) estimate \(item)")
            #expect(sketch.lowerBound(item) == UInt64(query[2]), "\(fixture) lower \(item)")
            #expect(sketch.upperBound(item) == UInt64(query[3]), "\(fixture) upper \(item)")
        }
        for list in answers.frequent {
            let rows = sketch.frequentItems(errorType: list.errorType, threshold: list.threshold)
            #expect(rows == list.expectedRows, "\(fixture) \(list.type) threshold \(String(describing: list.threshold))")
        }
    }
}
