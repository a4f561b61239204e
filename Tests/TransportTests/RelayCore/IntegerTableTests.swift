import Testing
@testable import Transport

@Suite("Integer table")
struct IntegerTableTests {
    @Test("insert, replace, look up, modify and remove")
    func basics() {
        var table = IntegerTable<String>(seed: 7)
        #expect(table.isEmpty && table[1] == nil)
        table[1] = "one"
        table.insert("two", forKey: 2)
        table[1] = "uno"
        #expect(table.count == 2 && table[1] == "uno" && table[2] == "two")
        #expect(table.modifyValue(forKey: 2) { value -> Int in value += "!"; return value.count } == 4)
        #expect(table[2] == "two!")
        #expect(table.modifyValue(forKey: 3) { _ in 0 } == nil)
        #expect(table.removeValue(forKey: 1) == "uno")
        #expect(table.removeValue(forKey: 1) == nil)
        table[2] = nil
        #expect(table.isEmpty && table.allKeys.isEmpty)
    }

    /// Random operations against `Dictionary`, with keys crowded into few values so probe runs are
    /// long and backward-shift deletion is exercised; the failing seed is printed.
    @Test("agrees with Dictionary under random inserts, removals and growth", arguments: 0..<40)
    func agreesWithDictionary(seed: UInt64) {
        var random = WireRandom(seed: seed)
        var table = IntegerTable<UInt64>(seed: random.next(), minimumCapacity: seed % 2 == 0 ? 0 : 100)
        var reference: [UInt64: UInt64] = [:]
        let keySpace = UInt64(random.int(4...600))
        for step in 0..<4_000 {
            let key = random.next() % keySpace &* 0x1_0000_0001
            switch random.int(0...9) {
            case 0...4:
                let value = random.next()
                table[key] = value
                reference[key] = value
            case 5...7:
                #expect(table.removeValue(forKey: key) == reference.removeValue(forKey: key), "seed \(seed), step \(step)")
            case 8:
                _ = table.modifyValue(forKey: key) { $0 &+= 1 }
                if reference[key] != nil { reference[key]! &+= 1 }
            default:
                if random.chance(0.02) {
                    table.removeAll(keepingCapacity: random.chance(0.5))
                    reference.removeAll()
                }
            }
            #expect(table.count == reference.count, "seed \(seed), step \(step)")
        }
        for key in 0..<keySpace {
            let scaled = key &* 0x1_0000_0001
            #expect(table[scaled] == reference[scaled], "seed \(seed), key \(scaled)")
        }
        var seen: [UInt64: UInt64] = [:]
        table.forEach { key, value in seen[key] = value }
        #expect(seen == reference, "seed \(seed)")
    }
}
