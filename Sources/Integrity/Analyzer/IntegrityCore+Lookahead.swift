// Looking ahead over a group of events. With ~10⁵ businesses the per-event path is memory-bound:
// each event misses the cache (and, on a virtual machine, the TLB: a nested page walk costs
// several hundred nanoseconds) on its business's index slot, its state, a table's header and
// slot, and the writer filter — dependent loads the processor cannot overlap within one event.
// Reading what a group of events will touch, stage by stage, with each stage's loads independent
// across the group and the stage's loop short enough for dozens of them to be in flight, lets
// the misses of the whole group overlap; the events are then applied one by one from the cache.
// Nothing is changed here and nothing read is trusted later: applying re-does every look-up (a
// grouped batch takes its positions from `enter`, at arrival), so the result is exactly that of
// applying the events without looking ahead.
extension IntegrityCore {
    /// The most events one look-ahead covers (their states, ~1 KiB each, stay in L2 until applied).
    static let lookaheadLimit = 64

    /// Loads what applying `events` (at most ``lookaheadLimit``) will read; returns a value mixed
    /// from the loads, to be kept by the caller so that they are not optimized away. `mutating`
    /// only so that the analyzer reaches the core in place: called on the analyzer's stored core,
    /// a non-mutating method gets a copy of the whole core (a retain and a release of each of
    /// its arrays and dictionaries) for every group.
    mutating func warm(_ events: UnsafeBufferPointer<PseudonymizedEvent>) -> UInt64 {
        // Stage 1: the businesses' index slots, then their positions (from the cache).
        warmIndex(events)
        return withUnsafeTemporaryAllocation(of: Int32.self, capacity: Self.lookaheadLimit) { positions in
            guard let base = positions.baseAddress else { return 0 }
            for slot in 0..<min(events.count, Self.lookaheadLimit) {
                positions[slot] = index[digits: events[slot].business.digits].map(Int32.init) ?? -1
            }
            return warm(events, positions: base)
        }
    }

    /// Starts loading the index slots of the businesses of `events` (at most
    /// ``lookaheadLimit``): the look-ahead's first stage, and before a grouped batch's events are
    /// entered (`enter`). Prefetches: nothing to mix.
    mutating func warmIndex(_ events: UnsafeBufferPointer<PseudonymizedEvent>) {
        for event in events.prefix(Self.lookaheadLimit) { index.warm(event.business.digits) }
    }

    /// The look-ahead's later stages, for a group whose positions are known (`positions[i]` for
    /// `events[i]`; -1: a business not active yet): the states, the tables' headers, the slots and
    /// filter blocks. The positions come through a pointer: passed as an `InlineArray`, they were
    /// copied four times per group (256-byte `memcpy`s, ~2 % of a grouped replay's profile).
    /// `mutating` for the reason ``warm(_:)`` is: called from the closure of a mutating
    /// method (`applyGrouped`), a non-mutating method got a copy of the whole core per group
    /// (an outlined copy and destroy of its arrays and dictionaries, ~1 % of the instructions).
    @inline(__always)
    mutating func warm<Event: BusinessStateEvent>(_ events: UnsafeBufferPointer<Event>, positions: UnsafePointer<Int32>) -> UInt64 {
        let count = min(events.count, Self.lookaheadLimit)
        var users = InlineArray<64, Pseudonym>(repeating: Pseudonym(first: 0, second: 0))
        var tables = InlineArray<64, UInt8>(repeating: 0)
        var times = InlineArray<64, Int64>(repeating: 0)
        for slot in 0..<count {
            let event = events[slot]
            users[slot] = event.user.current
            tables[slot] = Self.tables(of: event.kind)
            times[slot] = event.time
        }
        var mix: UInt64 = 0
        // Stage 2: the first cache line of each state (a page walk each, in a tight loop so that
        // many are in flight), then its other lines (~1 KiB; an event reads many), line by line
        // across the group — the second line of every state, then the third — rather than state by
        // state: consecutive loads then fall on different states' pages, so the misses in the
        // processor's window spread over the group instead of queueing on one state (+0.6 to
        // +6 % events per CPU-second in three sets of alternating runs). The states are read in
        // place through their addresses (no copy of a state).
        var states = InlineArray<64, UnsafePointer<BusinessState>?>(repeating: nil)
        // A state is loaded once per run of its events in the group: grouped batches
        // (`applyGrouped`) bring a business's events together.
        var distinct = InlineArray<64, UnsafeRawPointer?>(repeating: nil)
        var distinctCount = 0
        var previous: Int32 = -1
        for slot in 0..<count where positions[slot] >= 0 {
            let state = businesses.address(of: Int(positions[slot]))
            states[slot] = state
            guard positions[slot] != previous else { continue }
            previous = positions[slot]
            distinct[distinctCount] = UnsafeRawPointer(state)
            distinctCount += 1
            mix = mix &+ UInt64(UnsafeRawPointer(state).load(as: UInt8.self))
        }
        let warmed = BusinessState.warmedBytes
        var offset = 64
        while offset < warmed {
            for index in 0..<distinctCount {
                guard let state = distinct[index] else { continue }
                mix = mix &+ UInt64(state.load(fromByteOffset: offset, as: UInt8.self))
            }
            offset += 64
        }
        // Stage 3: the headers of the tables the events probe (their sizes), and of the 7-day
        // table when the event will re-measure quality (a scan of it).
        for slot in 0..<count {
            guard let state = states[slot] else { continue }
            mix = mix &+ state.pointee.warmHeaders(tables[slot], time: times[slot])
        }
        // Stage 4: the table slot and the filter block each event probes first.
        for slot in 0..<count {
            guard let state = states[slot] else { continue }
            mix = mix &+ state.pointee.warmSlots(tables[slot], user: users[slot])
        }
        return mix
    }

    /// Which tables an event of `kind` probes: 1 the 24-hour table and the writer filter, 2 the
    /// 7-day table, 0 none.
    @inline(__always)
    static func tables(of kind: IntegrityEvent.Kind) -> UInt8 {
        switch kind {
        case .message: 1
        case .delivered, .block, .report: 2
        case .read: 0
        }
    }
}

extension BusinessState {
    /// The bytes of a state the look-ahead loads: all but the quality tally's expiry buckets.
    static let warmedBytes = (MemoryLayout<BusinessState>.offset(of: \BusinessState.quality) ?? 0) + QualityTally.headerBytes

    /// Loads the headers of the tables `tables` (see `IntegrityCore.tables(of:)`), and of the
    /// 7-day table if an event at `time` will re-measure quality; returns a mix.
    @inline(__always)
    func warmHeaders(_ tables: UInt8, time: Int64) -> UInt64 {
        let rescore = time >= nextRescore ? proofs.slots.count : 0
        return switch tables {
        case 1: UInt64(writers.currentWords &+ recent.slots.count &+ rescore)
        case 2: UInt64(proofs.slots.count)
        default: UInt64(rescore)
        }
    }

    /// Loads the table slot and filter block that `user` is probed at first; returns a mix.
    @inline(__always)
    func warmSlots(_ tables: UInt8, user: Pseudonym) -> UInt64 {
        switch tables {
        case 1: writers.warm(user) &+ recent.warm(fingerprint: user.fingerprint)
        case 2: proofs.warm(fingerprint: user.fingerprint)
        default: 0
        }
    }
}
