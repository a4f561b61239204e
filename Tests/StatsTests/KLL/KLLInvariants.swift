@testable import Stats

extension KLLFloatsSketch {
    /// Every structural promise the sketch makes about itself; empty when all hold.
    func invariantViolations() -> [String] {
        var problems: [String] = []
        guard levels.count >= 2 else { return ["fewer than one level"] }
        if levels[numLevels] != items.count { problems.append("last offset \(levels[numLevels]) != buffer \(items.count)") }
        let capacity = KLLCapacity.totalCapacity(k: k, numLevels: numLevels)
        if items.count != capacity { problems.append("buffer \(items.count) != capacity \(capacity)") }
        var weight: UInt64 = 0
        for level in 0..<numLevels {
            let range = range(ofLevel: level)
            if levels[level] > levels[level + 1] { problems.append("level \(level) has negative size"); continue }
            weight += UInt64(range.count) << UInt64(level)
            for index in range {
                let item = items[index]
                if item.isNaN || item < minimum || maximum < item { problems.append("item \(item) outside [min, max]") }
                if (level > 0 || isLevelZeroSorted), index > range.lowerBound, item < items[index - 1] {
                    problems.append("level \(level) unsorted at \(index)")
                }
            }
        }
        if weight != n { problems.append("levels weigh \(weight), n = \(n)") }
        if minK > k || minK < 8 { problems.append("min k \(minK) outside 8...\(k)") }
        if numLevels > KLLCapacity.maxNumLevels(forN: n) { problems.append("\(numLevels) levels for n = \(n)") }
        return problems
    }
}
