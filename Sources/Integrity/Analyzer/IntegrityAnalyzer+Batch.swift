extension IntegrityAnalyzer {
    /// Applies `events` in order — exactly what calling ``ingest(_:)`` on each would do (same
    /// state, statistics, policy changes and observer calls, in the same order), faster on a large
    /// population. Returns the events applied (the others were dropped, as ``ingest(_:)`` drops
    /// them).
    ///
    /// Up to ``grouping`` events at a time pass the door and are entered in arrival order — the
    /// clock, the count of active users, the businesses' positions — and are then applied to their
    /// businesses' states business by business, each business's events in their order (see
    /// `IntegrityCore.applyGrouped`): a state is read from memory once per batch instead of once
    /// per event. Nothing but a business's own state depends on the order of its events, so the
    /// result is the same. Either way, events are looked ahead at in groups of ``lookahead``, so
    /// that the cache misses of a group overlap (see `IntegrityCore.warm`).
    ///
    /// With observers attached the events are taken one at a time, in arrival order, without
    /// looking ahead: an observer sees every event right after it is applied, and may call back
    /// into the analyzer (an admission question moves the pseudonym keys' clock), which must
    /// happen before the next event passes the door.
    @discardableResult
    public func ingest(contentsOf events: ArraySlice<IntegrityEvent>) -> Int {
        guard observers.isEmpty else {
            var applied = 0
            for event in events where ingest(event) != nil { applied += 1 }
            return applied
        }
        if grouping > 1 && events.count > lookahead { return ingestGrouped(events) }
        let depth = lookahead
        // The group lives on the stack and is reached through a pointer: no copies of it.
        return withUnsafeTemporaryAllocation(of: PseudonymizedEvent.self, capacity: IntegrityCore.lookaheadLimit) { group in
            var applied = 0
            var next = events.startIndex
            while next < events.endIndex {
                let end = min(next + depth, events.endIndex)
                var count = 0
                for position in next..<end {
                    if let event = pseudonymize(events[position]) {
                        group.initializeElement(at: count, to: event)
                        count += 1
                    }
                }
                let ready = UnsafeBufferPointer(rebasing: group[0..<count])
                if count > 1 { lookaheadMix = lookaheadMix &+ core.warm(ready) }
                for event in ready { _ = apply(event) }
                applied += count
                _ = group[0..<count].deinitialize()
                next = end
            }
            return applied
        }
    }

    /// Applies `events` in order; see ``ingest(contentsOf:)-(ArraySlice<IntegrityEvent>)``.
    @discardableResult
    public func ingest(contentsOf events: [IntegrityEvent]) -> Int {
        ingest(contentsOf: events[...])
    }

    /// Events pass the door and are entered in arrival order, and are applied business by
    /// business every ``grouping`` events and before every sweep (a sweep moves positions).
    private func ingestGrouped(_ events: ArraySlice<IntegrityEvent>) -> Int {
        // The buffers are moved out of the analyzer for the call: no access to a class property
        // (checked for exclusivity at run time) per event.
        var batch = takeGroupingBuffers(for: events.count)
        defer { groupingBuffers = batch }
        let depth = lookahead
        // Events pass the door `lookahead` at a time, and their businesses' index slots are
        // loaded together before they are entered (each a cache miss at ~10⁵ businesses).
        return withUnsafeTemporaryAllocation(of: PseudonymizedEvent.self, capacity: IntegrityCore.lookaheadLimit) { group in
            var applied = 0
            var next = events.startIndex
            while next < events.endIndex {
                let end = min(next + depth, events.endIndex)
                var count = 0
                for position in next..<end {
                    if let event = pseudonymize(events[position]) {
                        group.initializeElement(at: count, to: event)
                        count += 1
                    }
                }
                let ready = UnsafeBufferPointer(rebasing: group[0..<count])
                if count > 1 { lookaheadMix = lookaheadMix &+ core.warmIndex(ready) }
                for entered in ready {
                    if core.moveClock(to: entered.time) {
                        applyGrouped(&batch)
                        core.sweep()
                    }
                    batch.positions.append(UInt32(truncatingIfNeeded: core.enter(entered)))
                    batch.events.append(entered)
                    if batch.events.count >= grouping { applyGrouped(&batch) }
                }
                applied += count
                _ = group[0..<count].deinitialize()
                next = end
            }
            applyGrouped(&batch)
            return applied
        }
    }

    /// Applies the entered events of `batch` business by business and empties it.
    private func applyGrouped(_ batch: inout GroupingBuffers) {
        guard !batch.events.isEmpty else { return }
        let businesses = core.businesses.count
        let depth = lookahead
        var order = batch.order
        batch.order = BusinessOrder()
        let mix = batch.events.withUnsafeBufferPointer { events in
            batch.positions.withUnsafeBufferPointer { positions in
                order.withOrder(of: positions, below: businesses) { order in
                    core.applyGrouped(events, order: order, lookahead: depth)
                }
            }
        }
        batch.order = order
        lookaheadMix = lookaheadMix &+ mix
        statistics.events += batch.events.count
        batch.events.removeAll(keepingCapacity: true)
        batch.positions.removeAll(keepingCapacity: true)
    }

    /// The buffers, moved out of the analyzer, with room for a batch of `count` events.
    private func takeGroupingBuffers(for count: Int) -> GroupingBuffers {
        var buffers = GroupingBuffers()
        swap(&buffers, &groupingBuffers)
        let capacity = min(count, grouping)
        if buffers.events.capacity < capacity {
            buffers.events.reserveCapacity(capacity)
            buffers.positions.reserveCapacity(capacity)
        }
        return buffers
    }
}

/// What ``IntegrityAnalyzer/ingest(contentsOf:)-(ArraySlice<IntegrityEvent>)`` holds between
/// calls when it groups events by business: the batch's entered events, their businesses'
/// positions, and the sort's buffers.
struct GroupingBuffers {
    var events: [PseudonymizedEvent] = []
    var positions: [UInt32] = []
    var order = BusinessOrder()
}
