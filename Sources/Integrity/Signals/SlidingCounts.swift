/// Counts in a ring of `slotCount` consecutive time slots (ticks, seconds or days) with a running
/// total over the window: the slots `(newest − slotCount, newest]`. Inline storage, no heap;
/// every operation is O(1) except advancing past many slots (at most `slotCount` steps).
///
/// Counts saturate at `Count.max` rather than overflow.
struct SlidingCounts<let slotCount: Int, Count: FixedWidthInteger & UnsignedInteger> {
    /// The newest slot; `Int64.min` before the first.
    var newest: Int64 = .min
    /// The sum of the counts in the window.
    var total = 0
    var counts: InlineArray<slotCount, Count>

    init() {
        counts = InlineArray(repeating: 0)
    }

    /// Moves the window so that `slot` is the newest, zeroing the slots that leave it.
    @inline(__always)
    mutating func advance(to slot: Int64) {
        guard slot > newest else { return }
        if newest == .min || slot - newest >= Int64(slotCount) {
            for index in counts.indices { counts[index] = 0 }
            total = 0
        } else {
            var step = newest + 1
            while step <= slot {
                let index = Self.index(step)
                total -= Int(counts[index])
                counts[index] = 0
                step += 1
            }
        }
        newest = slot
    }

    /// Whether `slot` is inside the window.
    @inline(__always)
    func contains(_ slot: Int64) -> Bool { slot <= newest && newest - slot < Int64(slotCount) }

    /// Adds `amount` at `slot` (ignored outside the window).
    @inline(__always)
    mutating func add(_ amount: Int = 1, at slot: Int64) {
        guard contains(slot) else { return }
        let index = Self.index(slot)
        let old = counts[index]
        let (sum, overflow) = old.addingReportingOverflow(Count(clamping: amount))
        let new = overflow ? Count.max : sum
        counts[index] = new
        total += Int(new) - Int(old)
    }

    /// Raises the count at `slot` to `value` if it is lower (a per-slot maximum).
    @inline(__always)
    mutating func raise(to value: Int, at slot: Int64) {
        guard contains(slot) else { return }
        let index = Self.index(slot)
        let old = counts[index]
        let new = Count(clamping: value)
        guard new > old else { return }
        counts[index] = new
        total += Int(new) - Int(old)
    }

    /// Removes one at `slot` (ignored outside the window or at zero).
    @inline(__always)
    mutating func remove(at slot: Int64) {
        guard contains(slot) else { return }
        let index = Self.index(slot)
        guard counts[index] > 0 else { return }
        counts[index] -= 1
        total -= 1
    }

    /// The count of one slot in the window (0 outside it).
    func count(at slot: Int64) -> Int { contains(slot) ? Int(counts[Self.index(slot)]) : 0 }

    /// The largest count among the window's slots.
    var maximum: Int {
        var best = 0
        for index in counts.indices { best = max(best, Int(counts[index])) }
        return best
    }

    @inline(__always)
    private static func index(_ slot: Int64) -> Int {
        let remainder = Int(slot % Int64(slotCount))
        return remainder < 0 ? remainder + slotCount : remainder
    }
}
