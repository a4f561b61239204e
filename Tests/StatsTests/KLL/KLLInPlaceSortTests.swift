import Testing
@testable import Stats

@Suite struct KLLInPlaceSortTests {
    static func patterns(count: Int, seed: UInt64) -> [(String, [Float])] {
        var generator = SplitMix64(seed: seed)
        let random = (0..<count).map { _ in Float(generator.next() >> 40) }
        let fewDistinct = (0..<count).map { _ in Float(generator.next() % 3) }
        return [
            ("random", random),
            ("few distinct", fewDistinct),
            ("ascending", random.sorted()),
            ("descending", random.sorted(by: >)),
            ("organ pipe", (0..<count).map { Float(min($0, count - $0)) }),
            ("all equal", Array(repeating: 7, count: count)),
            ("signed zeros", (0..<count).map { $0.isMultiple(of: 2) ? -0.0 : 0.0 }),
            ("infinities", (0..<count).map { [Float.infinity, -.infinity, 1, -1][$0 % 4] }),
        ]
    }

    @Test(arguments: [0, 1, 2, 3, 15, 16, 17, 100, 1_000, 5_000])
    func sortsLikeTheStandardLibrary(count: Int) {
        for seed in 0..<3 as Range<UInt64> {
            for (name, values) in Self.patterns(count: count, seed: seed) {
                var sorted = values
                KLLInPlaceSort.sort(&sorted, in: sorted.indices)
                #expect(sorted == values.sorted(), "\(name), count \(count), seed \(seed)")
            }
        }
    }

    @Test func sortsOnlyTheGivenRange() {
        let values: [Float] = [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]
        var partly = values
        KLLInPlaceSort.sort(&partly, in: 2..<7)
        #expect(partly == [9, 8, 3, 4, 5, 6, 7, 2, 1, 0])
    }
}
