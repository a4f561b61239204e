/// An allocation-free introsort for a range of a `[Float]` that holds no NaN.
///
/// The standard library's sort is stable and borrows a scratch buffer of half the range, which
/// would put a heap allocation on the update path of sketches with a large `k`. Compactions
/// only need an unstable in-place sort: quicksort with a median-of-three pivot, insertion sort
/// for short runs, and heapsort once the recursion gets suspiciously deep, so adversarial input
/// cannot make it quadratic.
enum KLLInPlaceSort {
    /// Sorts `values[range]` ascending. The elements must not be NaN.
    static func sort(_ values: inout [Float], in range: Range<Int>) {
        let depthLimit = 2 * (Int.bitWidth - range.count.leadingZeroBitCount)
        introsort(&values, range.lowerBound, range.upperBound, depthLimit: depthLimit)
    }

    private static let insertionSortThreshold = 16

    private static func introsort(_ values: inout [Float], _ low: Int, _ high: Int, depthLimit: Int) {
        var low = low
        var high = high
        var depthLimit = depthLimit
        while high - low > insertionSortThreshold {
            if depthLimit == 0 {
                heapsort(&values, low, high)
                return
            }
            depthLimit -= 1
            let split = partition(&values, low, high)
            // Recurse into the smaller side and loop on the larger: the stack stays O(log n).
            if split - low < high - split {
                introsort(&values, low, split, depthLimit: depthLimit)
                low = split
            } else {
                introsort(&values, split, high, depthLimit: depthLimit)
                high = split
            }
        }
        insertionSort(&values, low, high)
    }

    /// Hoare partition around the median of the first, middle and last items (moved to `low`).
    /// Returns `split` with `low < split < high`, every item before it ≤ every item from it on.
    private static func partition(_ values: inout [Float], _ low: Int, _ high: Int) -> Int {
        let middle = low + (high - low) / 2
        let last = high - 1
        if values[middle] < values[low] { values.swapAt(middle, low) }
        if values[last] < values[low] { values.swapAt(last, low) }
        if values[last] < values[middle] { values.swapAt(last, middle) }
        values.swapAt(low, middle)
        let pivot = values[low]
        var left = low - 1
        var right = high
        while true {
            repeat { left += 1 } while values[left] < pivot
            repeat { right -= 1 } while pivot < values[right]
            if left >= right { return right + 1 }
            values.swapAt(left, right)
        }
    }

    private static func insertionSort(_ values: inout [Float], _ low: Int, _ high: Int) {
        guard high - low > 1 else { return }
        for index in (low + 1)..<high {
            let item = values[index]
            var hole = index
            while hole > low, item < values[hole - 1] {
                values[hole] = values[hole - 1]
                hole -= 1
            }
            values[hole] = item
        }
    }

    private static func heapsort(_ values: inout [Float], _ low: Int, _ high: Int) {
        let count = high - low
        for root in stride(from: count / 2 - 1, through: 0, by: -1) {
            siftDown(&values, base: low, root: root, count: count)
        }
        for end in stride(from: count - 1, to: 0, by: -1) {
            values.swapAt(low, low + end)
            siftDown(&values, base: low, root: 0, count: end)
        }
    }

    private static func siftDown(_ values: inout [Float], base: Int, root: Int, count: Int) {
        var parent = root
        while true {
            var largest = parent
            let left = 2 * parent + 1
            let right = left + 1
            if left < count, values[base + largest] < values[base + left] { largest = left }
            if right < count, values[base + largest] < values[base + right] { largest = right }
            if largest == parent { return }
            values.swapAt(base + parent, base + largest)
            parent = largest
        }
    }
}
