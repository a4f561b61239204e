/// Reading DataSketches' compact image, refusing anything a correct writer cannot produce.
extension KLLFloatsSketch {
    /// Decodes an image written by ``serialized()`` or by DataSketches (C++, Python, Java
    /// compact form) for a floats sketch.
    ///
    /// Beyond the layout, the decoder checks what the rest of the sketch relies on: level offsets
    /// that fit the capacity implied by `k` and the level count, a level count possible for `n`,
    /// level weights adding up to `n`, no NaN, items within `[min, max]`, sorted levels above
    /// zero (and level zero when flagged sorted), and no bytes after the image.
    ///
    /// - Parameters:
    ///   - bytes: The image.
    ///   - randomSeed: Seeds the coin of later compactions (the image does not carry one).
    /// - Throws: ``SketchDecodingError``, naming what is wrong; never traps.
    public init(serialized bytes: [UInt8], randomSeed: UInt64 = KLLFloatsSketch.defaultRandomSeed)
        throws(SketchDecodingError)
    {
        var reader = ByteReader(bytes, sketch: KLLSerialFormat.sketchName)
        let preamble = try KLLSerialFormat.Preamble(reading: &reader)
        let k = preamble.k
        switch preamble.layout {
        case .empty:
            try reader.expectEnd()
            self.init(validatedK: k, randomSeed: randomSeed)
        case .singleItem:
            let item = try reader.readFloat()
            try reader.expectEnd()
            if item.isNaN { throw Self.corrupt("the single item is NaN") }
            let capacity = KLLCapacity.totalCapacity(k: k, numLevels: 1)
            var items = [Float](repeating: 0, count: capacity)
            items[capacity - 1] = item
            self.init(
                k: k, minK: k, n: 1, levels: [capacity - 1, capacity], items: items,
                isLevelZeroSorted: preamble.flags.contains(.levelZeroSorted),
                minimum: item, maximum: item, randomSeed: randomSeed
            )
        case .full:
            self = try Self.decodeFull(&reader, preamble: preamble, randomSeed: randomSeed)
        }
    }

    private static func decodeFull(
        _ reader: inout ByteReader, preamble: KLLSerialFormat.Preamble, randomSeed: UInt64
    ) throws(SketchDecodingError) -> KLLFloatsSketch {
        let k = preamble.k
        let n = try reader.readUInt64()
        let minK = try reader.readUInt16()
        let numLevels = Int(try reader.readUInt8())
        _ = try reader.readUInt8()

        if n == 0 { throw corrupt("n is 0 but the empty flag is not set") }
        if n > UInt64(Int64.max) { throw corrupt("n = \(n) exceeds 2^63 - 1") }
        let allowedMinK = Int(allowedK.lowerBound)...Int(k)
        guard allowedMinK.contains(Int(minK)) else {
            throw outOfRange("min k", Int(minK), allowedMinK)
        }
        guard (1...KLLCapacity.maxNumLevels).contains(numLevels) else {
            throw outOfRange("number of levels", numLevels, 1...KLLCapacity.maxNumLevels)
        }
        if numLevels > KLLCapacity.maxNumLevels(forN: n) {
            throw corrupt("\(numLevels) levels are impossible for n = \(n)")
        }

        let capacity = KLLCapacity.totalCapacity(k: k, numLevels: numLevels)
        var levels: [Int] = []
        levels.reserveCapacity(numLevels + 1)
        for _ in 0..<numLevels { levels.append(Int(try reader.readUInt32())) }
        levels.append(capacity)
        try checkLevelOffsets(levels, n: n)

        let minimum = try reader.readFloat()
        let maximum = try reader.readFloat()
        var items = [Float](repeating: 0, count: levels[0])
        items += try reader.readFloats(capacity - levels[0])
        try reader.expectEnd()

        let isLevelZeroSorted = preamble.flags.contains(.levelZeroSorted)
        try checkItems(items, levels: levels, minimum: minimum, maximum: maximum, isLevelZeroSorted: isLevelZeroSorted)
        return KLLFloatsSketch(
            k: k, minK: minK, n: n, levels: levels, items: items, isLevelZeroSorted: isLevelZeroSorted,
            minimum: minimum, maximum: maximum, randomSeed: randomSeed
        )
    }

    /// Offsets must rise to the capacity (the last entry), and the levels must weigh `n`.
    private static func checkLevelOffsets(_ levels: [Int], n: UInt64) throws(SketchDecodingError) {
        var weight: UInt64 = 0
        for level in 0..<(levels.count - 1) {
            guard levels[level] <= levels[level + 1] else {
                let next = level + 1 == levels.count - 1 ? "the capacity" : "level \(level + 1)'s offset"
                throw corrupt("level \(level) starts at \(levels[level]), after \(next) \(levels[level + 1])")
            }
            let count = UInt64(levels[level + 1] - levels[level])
            let (levelWeight, overflow) = count.multipliedReportingOverflow(by: UInt64(1) << UInt64(level))
            let (sum, sumOverflow) = weight.addingReportingOverflow(levelWeight)
            if overflow || sumOverflow { throw corrupt("the level weights overflow 64 bits") }
            weight = sum
        }
        guard weight == n else { throw corrupt("the levels weigh \(weight) items but n = \(n)") }
    }

    /// No NaN, everything within `[minimum, maximum]`, sorted levels where the format says so.
    private static func checkItems(
        _ items: [Float], levels: [Int], minimum: Float, maximum: Float, isLevelZeroSorted: Bool
    ) throws(SketchDecodingError) {
        if minimum.isNaN || maximum.isNaN { throw corrupt("min or max item is NaN") }
        if maximum < minimum { throw corrupt("min item \(minimum) is greater than max item \(maximum)") }
        for level in 0..<(levels.count - 1) {
            let mustBeSorted = level > 0 || isLevelZeroSorted
            for index in levels[level]..<levels[level + 1] {
                let item = items[index]
                guard !item.isNaN, !(item < minimum), !(maximum < item) else {
                    throw corrupt("item \(item) at slot \(index) is NaN or outside [\(minimum), \(maximum)]")
                }
                if mustBeSorted, index > levels[level], item < items[index - 1] {
                    throw corrupt("level \(level) is not sorted at slot \(index)")
                }
            }
        }
    }

    private static func corrupt(_ reason: String) -> SketchDecodingError {
        .corrupt(sketch: KLLSerialFormat.sketchName, reason: reason)
    }

    private static func outOfRange(_ name: String, _ value: Int, _ allowed: ClosedRange<Int>) -> SketchDecodingError {
        .parameterOutOfRange(sketch: KLLSerialFormat.sketchName, name: name, value: value, allowed: allowed)
    }
}
