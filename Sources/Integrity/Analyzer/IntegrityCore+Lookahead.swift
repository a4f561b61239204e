// Looking ahead over a group of events: with ~10⁵ businesses the per-event path is memory-bound
// (each event misses the cache on its business's index slot, its state, a table slot and the
// writer filter), and one event's misses are dependent loads the processor cannot overlap. Reading
// what a group of events will touch — stage by stage, each stage's loads independent across the
// group — lets those misses overlap before the events are applied one by one. Nothing is changed
// here and nothing read is trusted later: applying re-does every look-up (now from the cache), so
// the result is exactly that of applying the events without looking ahead.
extension IntegrityCore {
    /// The most events one look-ahead covers.
    static let lookaheadLimit = 16

    /// Loads what applying `events` (at most ``lookaheadLimit``) will read; returns a value mixed
    /// from the loads, to be kept by the caller so the loads are not optimized away.
    func warm(_ events: InlineArray<16, PseudonymizedEvent?>, count: Int) -> UInt64 {
        var positions = InlineArray<16, Int32>(repeating: -1)
        let count = min(count, Self.lookaheadLimit)
        // Stage 1: the businesses' index slots.
        for slot in 0..<count {
            if let event = events[slot], let position = index[event.business] { positions[slot] = Int32(position) }
        }
        var mix: UInt64 = 0
        businesses.withUnsafeBufferPointer { states in
            guard let base = states.baseAddress else { return }
            // Stage 2: every cache line of each state (a state is ~1 KiB; the event reads many of them).
            for slot in 0..<count where positions[slot] >= 0 {
                let state = UnsafeRawPointer(base + Int(positions[slot]))
                var offset = 0
                while offset < MemoryLayout<BusinessState>.size {
                    mix = mix &+ UInt64(state.load(fromByteOffset: offset, as: UInt8.self))
                    offset += 64
                }
            }
            // Stage 3: the table slot and the filter block the event will probe first.
            for slot in 0..<count where positions[slot] >= 0 {
                if let event = events[slot] { mix = mix &+ states[Int(positions[slot])].warm(for: event) }
            }
        }
        return mix
    }
}

extension BusinessState {
    /// Loads the table slot and filter block `event` will probe first; returns a mix of them.
    @inline(__always)
    func warm(for event: PseudonymizedEvent) -> UInt64 {
        let user = event.user.current
        switch event.kind {
        case .message:
            return writers.warm(user) &+ recent.warm(fingerprint: user.fingerprint)
        case .delivered, .block, .report:
            return proofs.warm(fingerprint: user.fingerprint)
        case .read:
            return 0
        }
    }
}
