extension IntegrityAnalyzer {
    /// Applies `events` in order — exactly what calling ``ingest(_:)`` on each would do (same
    /// state, statistics, policy changes and observer calls, in the same order), faster on a large
    /// population: events are pseudonymized and looked ahead at in groups of 16, so that the
    /// cache misses of a group overlap (see `IntegrityCore.warm`). Returns the events applied
    /// (the others were dropped, as ``ingest(_:)`` drops them). Allocation-free in steady state.
    ///
    /// With observers attached the events are taken one at a time, without looking ahead: an
    /// observer may call back into the analyzer (an admission question moves the pseudonym keys'
    /// clock), which must happen before the next event passes the door.
    @discardableResult
    public func ingest(contentsOf events: ArraySlice<IntegrityEvent>) -> Int {
        var applied = 0
        guard observers.isEmpty else {
            for event in events where ingest(event) != nil { applied += 1 }
            return applied
        }
        var group = InlineArray<16, PseudonymizedEvent?>(repeating: nil)
        var next = events.startIndex
        while next < events.endIndex {
            let end = min(next + IntegrityCore.lookaheadLimit, events.endIndex)
            var count = 0
            for position in next..<end {
                group[count] = pseudonymize(events[position])
                count += 1
            }
            lookaheadMix = lookaheadMix &+ core.warm(group, count: count)
            for slot in 0..<count {
                if let event = group[slot] {
                    _ = apply(event)
                    applied += 1
                }
            }
            next = end
        }
        return applied
    }

    /// Applies `events` in order; see ``ingest(contentsOf:)-(ArraySlice<IntegrityEvent>)``.
    @discardableResult
    public func ingest(contentsOf events: [IntegrityEvent]) -> Int {
        ingest(contentsOf: events[...])
    }
}
