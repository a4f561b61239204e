/// Compaction during updates: the case where the buffer is exactly full.
extension KLLFloatsSketch {
    /// Frees room below level zero by compacting the lowest level at or over its capacity into
    /// the level above, first growing the sketch by a level if that level is the top one.
    mutating func compactForInsertion() {
        let level = lowestLevelAtCapacity()
        if level == numLevels - 1 { addEmptyTopLevel() }

        let rawBegin = levels[level]
        let rawEnd = levels[level + 1]
        let countAbove = levels[level + 2] - rawEnd
        let rawCount = rawEnd - rawBegin
        // An odd item out (the first one) stays behind on this level.
        let isOdd = rawCount % 2 == 1
        let begin = isOdd ? rawBegin + 1 : rawBegin
        let count = isOdd ? rawCount - 1 : rawCount
        let half = count / 2

        KLLLevelOperations.compactLevel(
            &items, begin: begin, count: count, countAbove: countAbove,
            sortFirst: level == 0 && !isLevelZeroSorted, randomBits: &randomBits
        )

        levels[level + 1] -= half
        if isOdd {
            levels[level] = levels[level + 1] - 1
            items[levels[level]] = items[rawBegin]
        } else {
            levels[level] = levels[level + 1]
        }

        // Slide the levels below up by `half` so the freed slots end up under level zero.
        if level > 0 {
            for index in stride(from: rawBegin - 1, through: levels[0], by: -1) {
                items[index + half] = items[index]
            }
            for lower in 0..<level { levels[lower] += half }
        }
    }

    /// The lowest level holding at least its nominal capacity. A full buffer always has one
    /// (the capacities add up to its size), so the top level is only the fallback by arithmetic.
    private func lowestLevelAtCapacity() -> Int {
        for level in 0..<(numLevels - 1) {
            let count = levels[level + 1] - levels[level]
            if count >= KLLCapacity.levelCapacity(k: k, numLevels: numLevels, height: level) {
                return level
            }
        }
        return numLevels - 1
    }

    /// Grows a completely full buffer at the bottom by the capacity of a new level zero and
    /// appends an empty top level; every existing level keeps its items.
    private mutating func addEmptyTopLevel() {
        let added = KLLCapacity.levelCapacity(k: k, numLevels: numLevels + 1, height: 0)
        items.insert(contentsOf: repeatElement(0, count: added), at: 0)
        for index in levels.indices { levels[index] += added }
        levels.append(items.count)
    }
}
