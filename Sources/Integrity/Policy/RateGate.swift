/// A leaky-bucket limiter as GCRA (the generic cell rate algorithm): one theoretical arrival
/// time instead of a token count. With emission interval `T` and burst `B`, a message at `now`
/// conforms when `tat − now ≤ (B − 1)·T`; it then moves `tat` to `max(tat, now) + T`. Equivalent
/// to Signal-Server's and rspamd's token buckets, in 8 bytes.
struct RateGate: Sendable, Hashable {
    /// The theoretical arrival time, in the caller's time unit.
    var theoreticalArrival: Int64 = .min

    /// How long to wait before a message at `now` would conform (0: it conforms now).
    @inline(__always)
    func wait(at now: Int64, interval: Int64, burst: Int) -> Int64 {
        guard theoreticalArrival != .min else { return 0 }
        let tolerance = interval * Int64(max(burst - 1, 0))
        return max(0, theoreticalArrival - tolerance - now)
    }

    /// Records a conforming message at `now`.
    @inline(__always)
    mutating func take(at now: Int64, interval: Int64) {
        theoreticalArrival = max(theoreticalArrival, now) + interval
    }

    /// Whether the bucket is full again at `now` (nothing borrowed), so its state can be dropped.
    @inline(__always)
    func isRested(at now: Int64) -> Bool { theoreticalArrival <= now }
}

/// The pair-rate gates of one business: a few (user fingerprint, gate) slots, found by linear
/// scan. When all are busy, the pair closest to a full bucket is forgotten — which can only let a
/// message through that a perfect memory would have held back, never refuse an honest one.
struct PairGates: Sendable, Hashable {
    struct Slot: Sendable, Hashable {
        var fingerprint: UInt32
        var gate: RateGate
    }

    var slots: [Slot] = []
    /// The most pairs remembered.
    let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    /// How long a message to `fingerprint` at `now` must wait (0: it conforms).
    func wait(for fingerprint: UInt32, at now: Int64, interval: Int64, burst: Int) -> Int64 {
        for slot in slots where slot.fingerprint == fingerprint {
            return slot.gate.wait(at: now, interval: interval, burst: burst)
        }
        return 0
    }

    /// Records a conforming message to `fingerprint` at `now`.
    mutating func take(for fingerprint: UInt32, at now: Int64, interval: Int64) {
        if let index = slots.firstIndex(where: { $0.fingerprint == fingerprint }) {
            slots[index].gate.take(at: now, interval: interval)
            return
        }
        var gate = RateGate()
        gate.take(at: now, interval: interval)
        let slot = Slot(fingerprint: fingerprint, gate: gate)
        if slots.count < capacity {
            if slots.isEmpty { slots.reserveCapacity(capacity) }
            slots.append(slot)
            return
        }
        // Reuse a rested slot, else the one with the earliest theoretical arrival (most tokens).
        var victim = 0
        for index in slots.indices {
            if slots[index].gate.isRested(at: now) {
                victim = index
                break
            }
            if slots[index].gate.theoreticalArrival < slots[victim].gate.theoreticalArrival { victim = index }
        }
        slots[victim] = slot
    }

    /// Heap bytes held.
    var heapBytes: Int { slots.capacity * MemoryLayout<Slot>.stride }
}
