import CSystem

// Applying a batch grouped by business. An event changes two kinds of state: its business's own
// (`businesses[position].apply`, which reads and writes that one state and appends to `changes`)
// and the core's shared state (the clock and its daily sweep, the count of active users, the
// positions of businesses). The shared part is done in arrival order (`moveClock` and `enter`, as
// the events arrive), the business's own part afterwards, business by business: each business
// sees its own events in their order, so every state ends exactly as applying the batch in
// arrival order leaves it, while a business's state and tables are read from memory once per
// batch instead of once per event. A sweep moves positions, so a batch never spans one.
extension IntegrityCore {
    /// Applies the business part of a batch of entered (packed) events, no sweep having run since
    /// they were entered, all of key epoch `epoch`; `previous[i]` is the previous pseudonym of
    /// `events[i]` where it holds one (``PackedEvent/holdsPrevious``), unread otherwise, and
    /// prefetched with the event when `prefetchingPrevious` (some event of the batch holds one).
    /// `order` holds a pair `position << 32 | i` for each `events[i]`, its position as `enter`
    /// returned it, sorted by position, ties in arrival order (``BusinessOrder``): the events are
    /// taken business by business, looking ahead at `lookahead` of them at a time; the policy
    /// changes they make are left in `changes` in arrival order, as applying the events one by
    /// one appends them. Returns a mix of what the look-ahead loaded.
    mutating func applyGrouped(
        _ events: UnsafeBufferPointer<PackedEvent>, epoch: Int64, previous: UnsafePointer<Pseudonym>,
        prefetchingPrevious: Bool, order: UnsafeBufferPointer<UInt64>, lookahead: Int
    ) -> UInt64 {
        guard let eventsBase = events.baseAddress, !order.isEmpty else { return 0 }
        let changesBefore = changes.count
        var changed: [ChangedEvent] = []
        var mix: UInt64 = 0
        let depth = min(max(lookahead, 1), Self.lookaheadLimit)
        // Held here for the batch: read from `self` inside the closure, it is retained and
        // released around every event's apply.
        let parameters = self.parameters
        withUnsafeTemporaryAllocation(of: BusinessEvent.self, capacity: Self.lookaheadLimit) { group in
            withUnsafeTemporaryAllocation(of: Int32.self, capacity: Self.lookaheadLimit) { groupPositions in
                guard let positionsBase = groupPositions.baseAddress else {
                    preconditionFailure("a temporary allocation of \(Self.lookaheadLimit) positions has no address")
                }
                var next = 0
                while next < order.count {
                    let end = min(next + depth, order.count)
                    // The next group's events are far apart in the batch: start their loads now, to
                    // be in flight while this group is looked ahead at and applied. Prefetches, not
                    // loads: nothing here needs them, and a load that misses holds up the
                    // instructions after it until its line arrives.
                    for upcoming in end..<min(end + depth, order.count) {
                        vigil_prefetch(eventsBase + Self.arrival(order[upcoming]))
                    }
                    if prefetchingPrevious {
                        for upcoming in end..<min(end + depth, order.count) {
                            vigil_prefetch(previous + Self.arrival(order[upcoming]))
                        }
                    }
                    for slot in 0..<(end - next) {
                        let pair = order[next + slot]
                        let arrival = Self.arrival(pair)
                        group.initializeElement(at: slot, to: events[arrival].event(epoch: epoch, previous: previous[arrival]))
                        groupPositions[slot] = Int32(pair >> 32)
                    }
                    let ready = UnsafeBufferPointer(rebasing: group[0..<(end - next)])
                    if ready.count > 1 {
                        mix = mix &+ warm(ready, positions: positionsBase)
                    }
                    for slot in 0..<ready.count {
                        let before = changes.count
                        _ = businesses[Int(groupPositions[slot])].apply(ready[slot], parameters: parameters, changes: &changes)
                        if changes.count > before {
                            changed.append(ChangedEvent(arrival: Self.arrival(order[next + slot]), start: before, end: changes.count))
                        }
                    }
                    _ = group[0..<ready.count].deinitialize()
                    next = end
                }
            }
        }
        if changed.count > 1 { restoreArrivalOrder(of: changed, from: changesBefore) }
        return mix
    }

    /// The arrival index of an `order` pair.
    @inline(__always)
    private static func arrival(_ pair: UInt64) -> Int { Int(pair & 0xFFFF_FFFF) }

    /// The changes one event of a grouped batch appended: `changes[start..<end]`.
    private struct ChangedEvent {
        var arrival: Int
        var start: Int
        var end: Int
    }

    /// Puts the changes appended since `first` back in the arrival order of the events that made
    /// them (each event's own changes keep their order).
    private mutating func restoreArrivalOrder(of changed: [ChangedEvent], from first: Int) {
        let sorted = changed.sorted { $0.arrival < $1.arrival }
        var reordered: [PolicyChange] = []
        reordered.reserveCapacity(changes.count - first)
        for event in sorted { reordered += changes[event.start..<event.end] }
        changes.replaceSubrange(first..., with: reordered)
    }
}

/// A stable order of a batch's events by business position: LSD radix sort of (position,
/// arrival) pairs on the position, 11 bits a pass (one pass below 2 048 businesses, two below
/// 4 194 304), linear in the batch. Each pass reads its pairs in order; the pair carries the
/// position, so that neither the sort nor the apply reads the positions out of order. Its
/// buffers are kept between batches (they only grow).
struct BusinessOrder {
    private static let digitBits = 11
    private var first: [UInt64] = []
    private var second: [UInt64] = []
    private var counts = [Int](repeating: 0, count: 1 << digitBits)

    /// Calls `body` with the pairs `position << 32 | arrival` of `positions` (the arrival is the
    /// index in `positions`) sorted by position, ties in arrival order; every position must be
    /// below `limit`.
    mutating func withOrder<Result>(
        of positions: UnsafeBufferPointer<UInt32>, below limit: Int, _ body: (UnsafeBufferPointer<UInt64>) -> Result
    ) -> Result {
        let count = positions.count
        if first.count < count {
            first = [UInt64](repeating: 0, count: count)
            second = [UInt64](repeating: 0, count: count)
        }
        let bitsNeeded = max(1, Int.bitWidth - max(limit - 1, 0).leadingZeroBitCount)
        let passes = (bitsNeeded + Self.digitBits - 1) / Self.digitBits
        let mask = UInt64((1 << Self.digitBits) - 1)
        return first.withUnsafeMutableBufferPointer { source in
            second.withUnsafeMutableBufferPointer { target in
                counts.withUnsafeMutableBufferPointer { counts in
                    var source = source
                    var target = target
                    for index in 0..<count { source[index] = UInt64(positions[index]) << 32 | UInt64(index) }
                    for pass in 0..<passes {
                        let shift = UInt64(32 + pass * Self.digitBits)
                        counts.update(repeating: 0)
                        for index in 0..<count { counts[Int((source[index] >> shift) & mask)] += 1 }
                        var total = 0
                        for digit in counts.indices {
                            let here = counts[digit]
                            counts[digit] = total
                            total += here
                        }
                        for index in 0..<count {
                            let pair = source[index]
                            let digit = Int((pair >> shift) & mask)
                            target[counts[digit]] = pair
                            counts[digit] += 1
                        }
                        swap(&source, &target)
                    }
                    return body(UnsafeBufferPointer(rebasing: source[0..<count]))
                }
            }
        }
    }
}
