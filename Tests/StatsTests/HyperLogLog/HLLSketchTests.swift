import Testing
@testable import Stats

@Suite struct HLLSketchTests {
    @Test func modeProgressionFollowsDataSketches() throws {
        var small = try HLLSketch(lgK: 7)
        for i in 0..<7 { small.update(Int64(i)) }
        #expect(small.mode == .list)
        small.update(Int64(7))
        #expect(small.mode == .hll) // lgK < 8 skips SET

        var large = try HLLSketch(lgK: 12)
        for i in 0..<8 { large.update(Int64(i)) }
        #expect(large.mode == .set)
        // SET promotes when it would pass 3/4 of 2^(lgK−3) = 512 slots: at 385 coupons.
        var count = 8
        while large.mode == .set {
            large.update(Int64(count))
            count += 1
        }
        #expect(large.mode == .hll)
        #expect(count == 385)
    }

    @Test(arguments: [5, 100, 300]) // LIST, SET, SET after a resize
    func equalityIgnoresTheCouponLayoutOfInsertionOrder(count: Int) throws {
        var forward = try HLLSketch(lgK: 12)
        var backward = try HLLSketch(lgK: 12)
        for i in 0..<count { forward.update(Int64(i)) }
        for i in (0..<count).reversed() { backward.update(Int64(i)) }
        #expect(forward.mode == backward.mode && forward.mode != .hll)
        #expect(forward == backward)
        var other = backward
        other.update(Int64(count))
        #expect(other != forward)
        // Equal sketches stay equal through the promotion to HLL mode.
        for i in count..<1_000 { forward.update(Int64(i)); backward.update(Int64(i)) }
        #expect(forward.mode == .hll && forward == backward)
    }

    @Test func duplicatesAndIgnoredItemsDoNotCount() throws {
        var sketch = try HLLSketch(lgK: 12)
        for _ in 0..<10 { sketch.update("same") }
        sketch.update("")
        #expect(sketch.estimate == 1)
        #expect(!sketch.isEmpty)
        let empty = try HLLSketch()
        #expect(empty.isEmpty && empty.estimate == 0)
    }

    @Test func rejectsBadConfiguration() {
        #expect(throws: HLLSketch.ConfigurationError.lgKOutOfRange(3)) { try HLLSketch(lgK: 3) }
        #expect(throws: HLLSketch.ConfigurationError.lgKOutOfRange(22)) { try HLLSketch(lgK: 22) }
        #expect(throws: HLLSketch.ConfigurationError.standardDeviationsOutOfRange(4)) {
            try HLLSketch().upperBound(standardDeviations: 4)
        }
    }

    @Test(arguments: [4, 8, 12, 16, 21])
    func estimateWithinThreeSigmaAndBoundsOrdered(lgK: Int) throws {
        var random = SplitMix64(seed: UInt64(lgK))
        var sketch = try HLLSketch(lgK: lgK)
        let n = 50_000
        for _ in 0..<n { sketch.update(random.next()) }
        let rse = 0.8326 / Double(1 << lgK).squareRoot()
        #expect(abs(sketch.estimate - Double(n)) <= 3 * rse * Double(n) + 1, "lgK \(lgK): \(sketch.estimate)")
        var previousLower = Double.infinity
        var previousUpper = 0.0
        for sd in 1...3 {
            let lower = try sketch.lowerBound(standardDeviations: sd)
            let upper = try sketch.upperBound(standardDeviations: sd)
            #expect(lower <= sketch.estimate && sketch.estimate <= upper)
            #expect(lower <= previousLower && upper >= previousUpper)
            previousLower = lower
            previousUpper = upper
        }
    }

    @Test func unionOfDisjointHalvesEqualsSketchOfAll() throws {
        for lgK in [10, 12] {
            var all = try HLLSketch(lgK: lgK)
            var a = try HLLSketch(lgK: lgK)
            var b = try HLLSketch(lgK: lgK)
            for i in 0..<40_000 {
                all.update(Int64(i))
                if i % 2 == 0 { a.update(Int64(i)) } else { b.update(Int64(i)) }
            }
            var union = try HLLUnion(lgMaxK: lgK)
            union.update(a)
            union.update(b)
            // Same registers as the single sketch; only HIP is gone, so the composite estimates agree.
            #expect(union.result.registers == all.registers)
            #expect(union.result.isOutOfOrder)
            #expect(union.estimate == all.compositeEstimate)
        }
    }

    @Test func unionAcrossLgKDownsamples() throws {
        var big = try HLLSketch(lgK: 14)
        var small = try HLLSketch(lgK: 10)
        for i in 0..<30_000 { big.update(Int64(i)) }
        for i in 20_000..<50_000 { small.update(Int64(i)) }
        var union = try HLLUnion(lgMaxK: 14)
        union.update(big)
        union.update(small)
        #expect(union.result.lgK == 10)
        let rse = 1.04 / 32.0
        #expect(abs(union.estimate - 50_000) <= 3 * rse * 50_000, "\(union.estimate)")
        // Order does not matter.
        var reversed = try HLLUnion(lgMaxK: 14)
        reversed.update(small)
        reversed.update(big)
        #expect(reversed.result.registers == union.result.registers)
    }
}
