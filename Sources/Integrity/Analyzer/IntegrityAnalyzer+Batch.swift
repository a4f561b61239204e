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
        return passingTheDoor(events) { ready in
            if ready.count > 1 { lookaheadMix = lookaheadMix &+ core.warm(ready) }
            for event in ready { _ = apply(event) }
        }
    }

    /// Passes `events` through the door ``lookahead`` at a time and hands `body` each group of
    /// those that passed, in order; returns how many passed. The group lives on the stack and is
    /// reached through a pointer: no copies of it.
    @inline(__always)
    private func passingTheDoor(
        _ events: ArraySlice<IntegrityEvent>, _ body: (UnsafeBufferPointer<PseudonymizedEvent>) -> Void
    ) -> Int {
        let depth = lookahead
        return withUnsafeTemporaryAllocation(of: PseudonymizedEvent.self, capacity: IntegrityCore.lookaheadLimit) { group in
            var passed = 0
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
                body(UnsafeBufferPointer(rebasing: group[0..<count]))
                passed += count
                _ = group[0..<count].deinitialize()
                next = end
            }
            return passed
        }
    }

    /// Applies `events` in order; see ``ingest(contentsOf:)-(ArraySlice<IntegrityEvent>)``.
    @discardableResult
    public func ingest(contentsOf events: [IntegrityEvent]) -> Int {
        ingest(contentsOf: events[...])
    }

    /// Events pass the door and are entered in arrival order, and are applied business by
    /// business every ``grouping`` events, before every sweep (a sweep moves positions) and before
    /// an event of another key epoch than the batch's (a batch keeps one epoch for all its events).
    private func ingestGrouped(_ events: ArraySlice<IntegrityEvent>) -> Int {
        let buffers = groupingBuffers
        let limit = min(events.count, grouping)
        buffers.reserve(limit)
        // The buffers' addresses are read once: a class property is checked for exclusive
        // access at run time on every read.
        let batch = buffers.events
        let previous = buffers.previous
        let positions = buffers.positions
        var count = 0
        var epoch: Int64 = 0
        // Whether an event of the batch holds a previous pseudonym (a key's grace period).
        var held = false
        // The businesses' index slots of a group are prefetched together before its events are
        // entered (each a cache miss at ~10⁵ businesses).
        let applied = passingTheDoor(events) { entering in
            if entering.count > 1 { core.warmIndex(entering) }
            for entered in entering {
                if core.moveClock(to: entered.time) {
                    applyGrouped(buffers, count: count, epoch: epoch, held: held)
                    count = 0
                    core.sweep()
                }
                if count > 0, entered.user.epoch != epoch {
                    applyGrouped(buffers, count: count, epoch: epoch, held: held)
                    count = 0
                }
                if count == 0 { held = false }
                epoch = entered.user.epoch
                positions[count] = UInt32(core.enter(entered))
                (batch + count).initialize(to: PackedEvent(entered))
                if let pseudonym = entered.user.previous {
                    (previous + count).initialize(to: pseudonym)
                    held = true
                }
                count += 1
                if count == limit {
                    applyGrouped(buffers, count: count, epoch: epoch, held: held)
                    count = 0
                }
            }
        }
        applyGrouped(buffers, count: count, epoch: epoch, held: held)
        return applied
    }

    /// Applies the first `count` entered events of `buffers`, all of key epoch `epoch`, business
    /// by business; `held` if any of them holds a previous pseudonym.
    private func applyGrouped(_ buffers: GroupingBuffers, count: Int, epoch: Int64, held: Bool) {
        guard count > 0 else { return }
        let events = UnsafeBufferPointer(start: buffers.events, count: count)
        let previous = UnsafePointer(buffers.previous)
        let positions = UnsafeBufferPointer(start: buffers.positions, count: count)
        let businesses = core.businesses.count
        let depth = lookahead
        let mix = buffers.order.withOrder(of: positions, below: businesses) { order in
            core.applyGrouped(events, epoch: epoch, previous: previous, prefetchingPrevious: held, order: order, lookahead: depth)
        }
        lookaheadMix = lookaheadMix &+ mix
        statistics.events += count
    }
}

/// What ``IntegrityAnalyzer/ingest(contentsOf:)-(ArraySlice<IntegrityEvent>)`` holds between
/// calls when it groups events by business: room for a batch's entered events, their previous
/// pseudonyms and their businesses' positions, and the sort's buffers. A class holding raw
/// memory, so that a batch is filled through addresses read once per call (no array uniqueness
/// or capacity check per event, no copy of the buffers); owned by one analyzer, never shared.
/// The events are packed (``PackedEvent``, a trivial type: nothing to deinitialize) and 64-byte
/// aligned, two to a cache line.
final class GroupingBuffers {
    /// Events the buffers have room for.
    private(set) var capacity = 0
    /// Room for `capacity` entered events, 32 bytes each.
    private(set) var events: UnsafeMutablePointer<PackedEvent>
    /// Room for their previous pseudonyms, at the same indices; written only for events holding
    /// one — in a key's grace period (the first 7 of every 30 days by default), all of them —
    /// so that outside grace periods its pages are not touched (fresh memory costs nothing until
    /// it is).
    private(set) var previous: UnsafeMutablePointer<Pseudonym>
    /// Room for their positions.
    private(set) var positions: UnsafeMutablePointer<UInt32>
    /// The sort's buffers.
    var order = BusinessOrder()

    init() {
        events = Self.allocateEvents(0)
        previous = .allocate(capacity: 0)
        positions = .allocate(capacity: 0)
    }

    /// Makes room for `capacity` events (what the buffers held is not kept; they only grow).
    func reserve(_ capacity: Int) {
        guard capacity > self.capacity else { return }
        UnsafeMutableRawPointer(events).deallocate()
        previous.deallocate()
        positions.deallocate()
        events = Self.allocateEvents(capacity)
        previous = .allocate(capacity: capacity)
        positions = .allocate(capacity: capacity)
        self.capacity = capacity
    }

    private static func allocateEvents(_ capacity: Int) -> UnsafeMutablePointer<PackedEvent> {
        UnsafeMutableRawPointer.allocate(byteCount: max(capacity, 1) * MemoryLayout<PackedEvent>.stride, alignment: 64)
            .bindMemory(to: PackedEvent.self, capacity: max(capacity, 1))
    }

    deinit {
        UnsafeMutableRawPointer(events).deallocate()
        previous.deallocate()
        positions.deallocate()
    }
}
