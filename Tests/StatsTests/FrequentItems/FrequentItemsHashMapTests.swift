import Testing
@testable import Stats

@Suite struct FrequentItemsHashMapTests {
    /// `std::hash<std::string>` values printed by a program linked against libstdc++.
    @Test(arguments: [
        ("", UInt64(0x553e_9390_1e46_2a6e)), ("a", 0x454d_dee4_88c1_ed6b), ("hello", 0x2655_3298_fdbe_39c8),
        ("héllo wörld 12345", 0x0404_9be1_db16_07c9), ("0123456789abcdef0123", 0xec4b_61c2_9f6a_1075),
        ("item-24", 0x54bc_7e68_2d0c_4c4e),
    ])
    func stringHashIsLibstdcxxHashBytes(text: String, expected: UInt64) {
        #expect(FrequentItemsKeyHashing.withUTF8(text) { FrequentItemsKeyHashing.stdHash($0) } == expected)
    }

    @Test func slotHashAppliesFmix64() {
        #expect(FrequentItemsKeyHashing.slotHash("item-24") == 0x22c4_4deb_c062_0ba9)
        #expect(FrequentItemsKeyHashing.slotHash("héllo") == 0x2763_ecaa_04f0_1874)
    }

    @Test func keysCompareByBytes() {
        #expect(FrequentItemsKeyHashing.sameBytes("é", "é"))
        #expect(!FrequentItemsKeyHashing.sameBytes("é", "e\u{301}"))
        #expect(!FrequentItemsKeyHashing.sameBytes("ab", "ac"))
    }

    @Test(arguments: [UInt64(31), 32, 33])
    func selectFindsTheRankLikeSorting(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        for round in 0..<200 {
            let count = Int(rng.next() % 300) + 1
            let values = (0..<count).map { _ in rng.next() % (round.isMultiple(of: 3) ? 4 : 1000) }
            let rank = Int(rng.next() % UInt64(count))
            var scratch = values
            let selected = scratch.withUnsafeMutableBufferPointer { ReversePurgeHashMap.select(rank: rank, in: $0) }
            #expect(selected == values.sorted()[rank], "seed \(seed) round \(round)")
        }
    }

    /// After random inserts, growth and purges every entry sits at its recorded probe distance,
    /// is found by lookup, and is visited exactly once by the iteration.
    @Test(arguments: [UInt64(41), 42, 43])
    func mapInvariantsHoldUnderRandomUse(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        var map = ReversePurgeHashMap(lgCurSize: 3, lgMaxSize: 6)
        for round in 0..<3000 {
            _ = map.adjustOrInsert("key-\(rng.next() % 400)", value: rng.next() % 7 + 1)
            guard round.isMultiple(of: 97) else { continue }
            let mask = map.slotCount - 1
            var active = 0
            for index in map.states.indices where map.states[index] != 0 {
                active += 1
                let home = Int(truncatingIfNeeded: FrequentItemsKeyHashing.slotHash(map.keys[index])) & mask
                #expect(Int(map.states[index]) - 1 == (index - home) & mask, "seed \(seed) round \(round)")
                #expect(map.weight(of: map.keys[index]) == map.values[index])
            }
            #expect(active == map.numActive && active <= ReversePurgeHashMap.capacity(lgSize: map.lgCurSize))
            var visited = Set<String>()
            map.forEachEntry { key, _ in visited.insert(key) }
            #expect(visited.count == active, "seed \(seed) round \(round)")
        }
        #expect(map.lgCurSize == 6)
    }
}
