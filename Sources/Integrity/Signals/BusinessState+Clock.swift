// The business's clock: event time (never backwards), key epochs, weekly sweeps.
extension BusinessState {
    /// Moves the business's clock to `time` (late events are applied at the latest time seen) and
    /// brings epochs and rings up to date; returns the time to apply the event at.
    @inline(__always)
    mutating func advanceClock(to eventTime: Int64, pair: PseudonymPair) -> Int64 {
        if eventTime > lastSeen {
            if eventTime - lastSeen >= TimeTicks.flushAfterMilliseconds { flushTables() }
            lastSeen = eventTime
        }
        let time = lastSeen
        let tick = TimeTicks.tick(time)
        initiated.advance(to: tick)
        if pair.epoch > epoch {
            if epoch != .min { holdsPreviousEpoch = recent.count + proofs.count > 0 }
            epoch = pair.epoch
            writers.prepare(epoch: epoch, graceOver: pair.previous == nil)
        }
        if holdsPreviousEpoch && pair.previous == nil && pair.epoch == epoch {
            dropPreviousEpoch(tick: tick)
        }
        if tick - lastNormalizedTick >= Int64(TimeTicks.week) { normalize(tick: tick) }
        return time
    }

    /// Clears expired fields and drops dead entries (weekly, so stored ticks never wrap).
    mutating func normalize(tick: Int64) {
        recent.updateAll { entry in _ = entry.expire(now: tick) }
        recent.removeAll(where: { !$0.isLive(now: tick) }, removed: { _ in })
        proofs.updateAll { entry in _ = entry.expire(now: tick) }
        proofs.removeAll(where: { !$0.isLive(now: tick) }, removed: { _ in })
        quality.invalidate()
        lastNormalizedTick = tick
    }

    /// The grace period after a rotation is over: entries still under the previous epoch's
    /// pseudonyms can never be found again.
    mutating func dropPreviousEpoch(tick: Int64) {
        let parity = UInt8(truncatingIfNeeded: epoch) & 1
        var released: [Int64] = []
        recent.removeAll(where: { $0.parity != parity }, removed: { entry in
            if entry.isInitiated(now: tick), let age = entry.initiatedAge(now: tick) { released.append(tick - Int64(age)) }
        })
        for slot in released { initiated.remove(at: slot) }
        proofs.removeAll(where: { $0.parity != parity }, removed: { _ in })
        quality.invalidate()
        writers.prepare(epoch: epoch, graceOver: true)
        holdsPreviousEpoch = false
    }

    /// After a long silence: nothing remembered is still meaningful.
    mutating func flushTables() {
        recent.clear()
        proofs.clear()
        quality.invalidate()
        initiated = SlidingCounts()
        burst = SlidingCounts()
        burstPeaks = SlidingCounts()
        unprovenBlocks = SlidingCounts()
        unprovenReports = SlidingCounts()
        holdsPreviousEpoch = false
    }

    /// The slot of `pair`'s user in the 24-hour table: found under the current pseudonym, or
    /// under the previous one and moved (re-keyed; dropped if the new pseudonym is outside the
    /// sample), or — when `create` — inserted if the user is sampled. Nil when not in the sample.
    @inline(__always)
    mutating func recentSlot(for pair: PseudonymPair, tick: Int64, create: Bool) -> Int? {
        let parity = UInt8(truncatingIfNeeded: pair.epoch) & 1
        let current = pair.current
        if let index = recent.find(fingerprint: current.fingerprint, parity: parity) { return index }
        var entry: RecentContact
        if holdsPreviousEpoch, let previous = pair.previous,
           let old = recent.find(fingerprint: previous.fingerprint, parity: parity ^ 1) {
            entry = recent[old]
            recent.remove(at: old)
            guard recent.samples(rank: current.samplingRank) else {
                if entry.isInitiated(now: tick), let age = entry.initiatedAge(now: tick) { initiated.remove(at: tick - Int64(age)) }
                return nil
            }
            entry.rekey(fingerprint: current.fingerprint, rank: current.samplingRank, parity: parity)
        } else {
            guard create, recent.samples(rank: current.samplingRank) else { return nil }
            entry = RecentContact(fingerprint: current.fingerprint, rank: current.samplingRank, parity: parity)
        }
        // Room in the table: no entry can be dropped (no callbacks, no list of released ticks).
        if recent.hasRoom { return recent.insertWithRoom(entry) }
        var released: [Int64] = []
        let index = recent.insert(entry, isLive: { $0.isLive(now: tick) }, removed: { dropped in
            if dropped.isInitiated(now: tick), let age = dropped.initiatedAge(now: tick) { released.append(tick - Int64(age)) }
        })
        for slot in released { initiated.remove(at: slot) }
        if index == nil, entry.isInitiated(now: tick), let age = entry.initiatedAge(now: tick) {
            initiated.remove(at: tick - Int64(age))
        }
        return index
    }

    /// The slot of `pair`'s user in the 7-day table, like ``recentSlot(for:tick:create:)``. Moving
    /// or dropping entries invalidates the quality tally (it follows only fields being set).
    @inline(__always)
    mutating func proofSlot(for pair: PseudonymPair, tick: Int64, create: Bool) -> Int? {
        let parity = UInt8(truncatingIfNeeded: pair.epoch) & 1
        let current = pair.current
        if let index = proofs.find(fingerprint: current.fingerprint, parity: parity) { return index }
        var entry: ContactProof
        if holdsPreviousEpoch, let previous = pair.previous,
           let old = proofs.find(fingerprint: previous.fingerprint, parity: parity ^ 1) {
            entry = proofs[old]
            proofs.remove(at: old)
            guard proofs.samples(rank: current.samplingRank) else {
                quality.invalidate()
                return nil
            }
            entry.rekey(fingerprint: current.fingerprint, rank: current.samplingRank, parity: parity)
        } else {
            guard create, proofs.samples(rank: current.samplingRank) else { return nil }
            entry = ContactProof(fingerprint: current.fingerprint, rank: current.samplingRank, parity: parity)
        }
        // Room in the table: no entry can be dropped, the tally stays valid.
        if proofs.hasRoom { return proofs.insertWithRoom(entry) }
        var dropped = false
        let index = proofs.insert(entry, isLive: { $0.isLive(now: tick) }, removed: { _ in dropped = true })
        if dropped || index == nil { quality.invalidate() }
        return index
    }
}
