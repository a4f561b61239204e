extension IntegrityAnalyzer {
    /// Applies `events` in order — exactly what calling ``ingest(_:)`` on each would do (same
    /// state, statistics, policy changes and observer calls, in the same order), faster on a large
    /// population: events are pseudonymized and looked ahead at in groups of ``lookahead``, so
    /// that the cache misses of a group overlap (see `IntegrityCore.warm`). Returns the events
    /// applied (the others were dropped, as ``ingest(_:)`` drops them). Allocation-free in steady
    /// state (the group lives on the stack).
    ///
    /// With observers attached the events are taken one at a time, without looking ahead: an
    /// observer may call back into the analyzer (an admission question moves the pseudonym keys'
    /// clock), which must happen before the next event passes the door.
    @discardableResult
    public func ingest(contentsOf events: ArraySlice<IntegrityEvent>) -> Int {
        guard observers.isEmpty else {
            var applied = 0
            for event in events where ingest(event) != nil { applied += 1 }
            return applied
        }
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
}
