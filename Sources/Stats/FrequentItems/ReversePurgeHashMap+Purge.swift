extension ReversePurgeHashMap {
    /// Subtracts the median of up to ``maxSampleSize`` weights (the first active ones in slot
    /// order) from every entry, drops entries that fall to zero, and returns the median.
    ///
    /// At least one entry holds a weight ≥ the median, so a purge removes at least the median
    /// from the map's total — which is what bounds every estimate's error by the summed medians.
    mutating func purge() -> UInt64 {
        let sampleCount = Swift.min(Self.maxSampleSize, numActive)
        let median = withUnsafeTemporaryAllocation(of: UInt64.self, capacity: sampleCount) { samples in
            var filled = 0
            var index = 0
            while filled < sampleCount {
                if states[index] != 0 {
                    samples[filled] = values[index]
                    filled += 1
                }
                index += 1
            }
            return Self.select(rank: sampleCount / 2, in: samples)
        }
        subtractAndKeepPositive(median)
        return median
    }

    /// The value of rank `rank` (0-based) in `buffer`, as `std::nth_element` would place it;
    /// reorders `buffer`. Quickselect with a median-of-three pivot.
    static func select(rank: Int, in buffer: UnsafeMutableBufferPointer<UInt64>) -> UInt64 {
        var low = 0
        var high = buffer.count - 1
        while low < high {
            let middle = low + (high - low) / 2
            let pivot = Swift.max(
                Swift.min(buffer[low], buffer[middle]),
                Swift.min(Swift.max(buffer[low], buffer[middle]), buffer[high])
            )
            var left = low
            var right = high
            while left <= right {
                while buffer[left] < pivot { left += 1 }
                while buffer[right] > pivot { right -= 1 }
                if left <= right {
                    buffer.swapAt(left, right)
                    left += 1
                    right -= 1
                }
            }
            if rank <= right {
                high = right
            } else if rank >= left {
                low = left
            } else {
                return buffer[rank]
            }
        }
        return buffer[rank]
    }

    /// Subtracts `amount` from every weight and deletes entries whose weight is ≤ `amount`.
    ///
    /// Slots are visited from high to low, starting just below the last free slot (the high end
    /// of a cluster) and finishing with the cluster that wraps around the end, so that entries a
    /// deletion shifts back have already been visited.
    mutating func subtractAndKeepPositive(_ amount: UInt64) {
        var firstFree = slotCount - 1
        while states[firstFree] != 0 { firstFree -= 1 }  // the load factor guarantees a free slot
        var probe = firstFree
        while probe > 0 {
            probe -= 1
            reduce(slot: probe, by: amount)
        }
        probe = slotCount
        while probe > firstFree {
            probe -= 1
            reduce(slot: probe, by: amount)
        }
    }

    private mutating func reduce(slot: Int, by amount: UInt64) {
        guard states[slot] != 0 else { return }
        if values[slot] <= amount {
            delete(slot: slot)
        } else {
            values[slot] -= amount
        }
    }

    /// Frees `slot` and shifts back later entries of its cluster that may move into the hole
    /// (those whose drift exceeds their distance from it).
    private mutating func delete(slot: Int) {
        let mask = slotCount - 1
        var hole = slot
        states[hole] = 0
        keys[hole] = ""
        numActive -= 1
        var distance: UInt32 = 1
        var probe = (hole + 1) & mask
        while states[probe] != 0 {
            if states[probe] > distance {
                keys.swapAt(hole, probe)  // the hole's key is "", so the probe slot ends up cleared
                values[hole] = values[probe]
                states[hole] = states[probe] - distance
                states[probe] = 0
                hole = probe
                distance = 0
            }
            probe = (probe + 1) & mask
            distance += 1
        }
    }
}
