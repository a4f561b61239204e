/// DataSketches' "general compress": brings an arbitrarily overfull stack of levels back within
/// the capacity of a sketch, adding levels at the top as needed. Merging uses it.
///
/// Levels are walked bottom-up. While the items still exceed the total capacity, each level at
/// or over its own capacity is compacted into the one above (which is then visited with its new
/// items); other levels just slide down to close the gaps. Compacted levels keep at most one item
/// and untouched ones stay under capacity, so the result always fits.
enum KLLGeneralCompression {
    /// The shape of the compressed levels.
    struct Result {
        /// Level boundaries from 0: `numLevels + 1` offsets into the compacted items.
        var levels: [Int]
        /// The items buffer size of a sketch with that many levels.
        var capacity: Int
        /// The number of items kept, packed at the start of the work buffer.
        var itemCount: Int { levels[levels.count - 1] }
    }

    /// Compresses `items`, whose levels are described by `inputLevels` (starting at 0, levels
    /// above zero sorted), in place; the kept items end up packed from index 0.
    static func compress(
        _ items: inout [Float], levels inputLevels: [Int], k: UInt16, isLevelZeroSorted: Bool,
        randomBits: inout KLLRandomBits
    ) -> Result {
        var input = inputLevels
        var numLevels = input.count - 1
        var itemCount = input[numLevels] - input[0]
        var capacity = KLLCapacity.totalCapacity(k: k, numLevels: numLevels)
        var output = [input[0]]
        output.reserveCapacity(input.count + 1)

        var level = 0
        while true {
            if level == numLevels - 1 {
                // An empty level above the top keeps "the level above" defined.
                let top = input[level + 1]
                if input.count > level + 2 { input[level + 2] = top } else { input.append(top) }
            }
            let rawBegin = input[level]
            let rawEnd = input[level + 1]
            let rawCount = rawEnd - rawBegin
            let destination = output[level]

            let levelCapacity = KLLCapacity.levelCapacity(k: k, numLevels: numLevels, height: level)
            if itemCount < capacity || rawCount < levelCapacity {
                // Keep the level as it is; destination ≤ rawBegin, so a forward copy is safe.
                if destination != rawBegin {
                    for index in 0..<rawCount { items[destination + index] = items[rawBegin + index] }
                }
                output.append(destination + rawCount)
            } else {
                let countAbove = input[level + 2] - rawEnd
                let isOdd = rawCount % 2 == 1
                let begin = isOdd ? rawBegin + 1 : rawBegin
                let count = isOdd ? rawCount - 1 : rawCount
                let half = count / 2

                if isOdd {
                    items[destination] = items[rawBegin]
                    output.append(destination + 1)
                } else {
                    output.append(destination)
                }
                KLLLevelOperations.compactLevel(
                    &items, begin: begin, count: count, countAbove: countAbove,
                    sortFirst: level == 0 && !isLevelZeroSorted, randomBits: &randomBits
                )
                itemCount -= half
                input[level + 1] -= half
                if level == numLevels - 1 {
                    // The old top was compacted into a new level, which adds a new bottom capacity.
                    numLevels += 1
                    capacity += KLLCapacity.levelCapacity(k: k, numLevels: numLevels, height: 0)
                }
            }
            if level == numLevels - 1 { break }
            level += 1
        }
        return Result(levels: output, capacity: capacity)
    }
}
