/// The in-place steps of a KLL compaction, on ranges of one items buffer.
///
/// Every level above level zero is sorted; compacting a level keeps every other item (which
/// half is the random bit) and merges the survivors into the level above, doubling their weight.
enum KLLLevelOperations {
    /// Compacts the even-length range `begin ..< begin + count` of a level (sorting it first when
    /// it is an unsorted level zero) and merges the surviving half into the `countAbove` items of
    /// the level above, which start at `begin + count`. Afterwards the merged level above occupies
    /// `begin + count / 2 ..< begin + count + countAbove`.
    static func compactLevel(
        _ items: inout [Float], begin: Int, count: Int, countAbove: Int, sortFirst: Bool,
        randomBits: inout KLLRandomBits
    ) {
        let half = count / 2
        let end = begin + count
        if sortFirst { KLLInPlaceSort.sort(&items, in: begin..<end) }
        let offset = randomBits.nextBit()
        if countAbove == 0 {
            halveUp(&items, start: begin, count: count, offset: offset)
        } else {
            halveDown(&items, start: begin, count: count, offset: offset)
            mergeInPlace(&items, first: begin..<(begin + half), second: end..<(end + countAbove), destination: begin + half)
        }
    }

    /// Keeps the items at `start + offset, start + offset + 2, …` of the even-length range
    /// `start ..< start + count`, packed into its lower half. `offset` is 0 or 1.
    static func halveDown(_ items: inout [Float], start: Int, count: Int, offset: Int) {
        let half = count / 2
        var source = start + offset
        for destination in start..<(start + half) {
            items[destination] = items[source]
            source += 2
        }
    }

    /// Keeps every other item of the even-length range `start ..< start + count`, counted down
    /// from its end, packed into its upper half. `offset` is 0 or 1.
    static func halveUp(_ items: inout [Float], start: Int, count: Int, offset: Int) {
        let half = count / 2
        let end = start + count
        var source = end - 1 - offset
        for destination in stride(from: end - 1, through: end - half, by: -1) {
            items[destination] = items[source]
            source -= 2
        }
    }

    /// Merges the sorted runs `first` and `second` into consecutive slots from `destination`.
    ///
    /// Both runs live in `items`, laid out as a compaction leaves them: `first` ends at or before
    /// `destination`, and `second` starts exactly `first.count` slots after it, so the merged run
    /// ends where `second` ends and writing never overtakes an unread item. Ties take the item of
    /// `second` first, like DataSketches.
    static func mergeInPlace(_ items: inout [Float], first: Range<Int>, second: Range<Int>, destination: Int) {
        assert(first.upperBound <= destination && destination + first.count == second.lowerBound)
        var a = first.lowerBound
        var b = second.lowerBound
        var output = destination
        while a < first.upperBound, b < second.upperBound {
            if items[a] < items[b] {
                items[output] = items[a]
                a += 1
            } else {
                items[output] = items[b]
                b += 1
            }
            output += 1
        }
        while a < first.upperBound {
            items[output] = items[a]
            a += 1
            output += 1
        }
        // Whatever is left of `second` already sits in its final slots.
    }

    /// Merges the sorted runs `first` of `firstItems` and `second` of `secondItems`, appending
    /// the result to `output`.
    static func merge(
        _ firstItems: [Float], _ first: Range<Int>,
        _ secondItems: [Float], _ second: Range<Int>,
        appendingTo output: inout [Float]
    ) {
        var a = first.lowerBound
        var b = second.lowerBound
        while a < first.upperBound, b < second.upperBound {
            if firstItems[a] < secondItems[b] {
                output.append(firstItems[a])
                a += 1
            } else {
                output.append(secondItems[b])
                b += 1
            }
        }
        output.append(contentsOf: firstItems[a..<first.upperBound])
        output.append(contentsOf: secondItems[b..<second.upperBound])
    }
}
