import CSystem
import Transport

/// Business number → position in the core's dense array: open addressing with linear probing on
/// the number's digits, mixed by the SplitMix64 finalizer. Cheaper than `Dictionary` on the
/// per-event path (no per-lookup SipHash, one cache line per probe run) and allocation-free
/// except when it grows.
struct BusinessIndex {
    private struct Slot {
        /// The number's digits; 0 marks an empty slot (E.164 digits are never 0).
        var key: UInt64
        var position: Int32
    }

    private var slots = [Slot](repeating: Slot(key: 0, position: 0), count: 64)
    private(set) var count = 0

    @inline(__always)
    private static func hash(_ key: UInt64) -> UInt64 {
        var z = key &+ 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// The position of `business`, or nil.
    @inline(__always)
    subscript(business: PhoneNumber) -> Int? { self[digits: business.digits] }

    /// The position of the business whose number has these digits, or nil.
    @inline(__always)
    subscript(digits digits: UInt64) -> Int? {
        let mask = slots.count - 1
        var index = Int(truncatingIfNeeded: Self.hash(digits)) & mask
        while true {
            let slot = slots[index]
            if slot.key == digits { return Int(slot.position) }
            if slot.key == 0 { return nil }
            index = (index &+ 1) & mask
        }
    }

    /// Starts loading the slot where a look-up of `digits` starts (the look-ahead: no effect but
    /// on the cache). A prefetch, not a load: a load that misses holds up the instructions after
    /// it until its line arrives, so a group's loads would wait on each other's retirement.
    @inline(__always)
    func warm(_ digits: UInt64) {
        let index = Int(truncatingIfNeeded: Self.hash(digits)) & (slots.count - 1)
        slots.withUnsafeBufferPointer { slots in
            if let base = slots.baseAddress { vigil_prefetch(base + index) }
        }
    }

    /// Sets the position of `business` (inserting it if absent).
    mutating func set(_ business: PhoneNumber, to position: Int) {
        if (count + 1) * 2 > slots.count { grow() }
        let mask = slots.count - 1
        var index = Int(truncatingIfNeeded: Self.hash(business.digits)) & mask
        while slots[index].key != 0 && slots[index].key != business.digits { index = (index &+ 1) & mask }
        if slots[index].key == 0 { count += 1 }
        slots[index] = Slot(key: business.digits, position: Int32(position))
    }

    /// Removes `business` (backward-shift deletion, no tombstones).
    mutating func remove(_ business: PhoneNumber) {
        let mask = slots.count - 1
        var index = Int(truncatingIfNeeded: Self.hash(business.digits)) & mask
        while slots[index].key != business.digits {
            if slots[index].key == 0 { return }
            index = (index &+ 1) & mask
        }
        var hole = index
        var next = (index + 1) & mask
        while slots[next].key != 0 {
            let home = Int(truncatingIfNeeded: Self.hash(slots[next].key)) & mask
            if (next - home) & mask >= (next - hole) & mask {
                slots[hole] = slots[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        slots[hole] = Slot(key: 0, position: 0)
        count -= 1
    }

    private mutating func grow() {
        let old = slots
        slots = [Slot](repeating: Slot(key: 0, position: 0), count: old.count * 2)
        count = 0
        for slot in old where slot.key != 0 {
            // Re-inserted keys are distinct and the table has room: plain probing suffices.
            let mask = slots.count - 1
            var index = Int(truncatingIfNeeded: Self.hash(slot.key)) & mask
            while slots[index].key != 0 { index = (index &+ 1) & mask }
            slots[index] = slot
            count += 1
        }
    }
}
