import Transport

// Applying one pseudonymized event: O(1) table and ring updates, no allocation in steady state.
extension BusinessState {
    /// Applies `event` (a ``PseudonymizedEvent`` of this business, or a grouped batch's
    /// ``BusinessEvent``); policy changes are appended to `changes`.
    mutating func apply<Event: BusinessStateEvent>(_ event: Event, parameters: SignalParameters, changes: inout [PolicyChange]) -> EventOutcome {
        let time = advanceClock(to: event.time, pair: event.user)
        let tick = TimeTicks.tick(time)
        var outcome = EventOutcome()
        var evaluateNow = false
        switch event.kind {
        case let .message(.businessToUser, _, category):
            outcome = businessMessage(to: event.user, category: category, time: time, tick: tick)
            let limit = parameters.rules.limit(of: policy.tier).map(Double.init) ?? .infinity
            evaluateNow = policy.limitReached != (businessInitiated24h >= limit)
        case .message(.userToBusiness, _, _):
            outcome = userMessage(from: event.user, tick: tick)
        case .delivered:
            totals.delivered += 1
            delivered24h.record(at: time)
            if let slot = proofSlot(for: event.user, tick: tick, create: true) {
                let before = proofs[slot]
                proofs[slot].setDelivered(tick)
                quality.update(from: before, to: proofs[slot], tick: tick, parameters: parameters)
            } else {
                outcome.sampled = false
            }
        case .read:
            totals.read += 1
            read24h.record(at: time)
        case let .block(reason):
            totals.blocks += 1
            outcome = feedback(from: event.user, tick: tick, parameters: parameters) { entry, tick in
                guard (entry.blockedAge(now: tick) ?? .max) >= TimeTicks.week else { return false }
                entry.setBlocked(tick, reason: reason)
                return true
            }
            if outcome.feedback == .counted { totals.countedBlocks += 1 }
            if outcome.feedback == .withoutProofOfContact {
                unprovenBlocks.advance(to: Self.day(time))
                unprovenBlocks.add(at: Self.day(time))
            }
            evaluateNow = outcome.feedback == .counted
        case let .report(reason):
            totals.reports += 1
            outcome = feedback(from: event.user, tick: tick, parameters: parameters) { entry, tick in
                guard (entry.reportedAge(now: tick) ?? .max) >= TimeTicks.week else { return false }
                entry.setReported(tick, reason: reason)
                return true
            }
            if outcome.feedback == .counted { totals.countedReports += 1 }
            if outcome.feedback == .withoutProofOfContact {
                unprovenReports.advance(to: Self.day(time))
                unprovenReports.add(at: Self.day(time))
            }
            evaluateNow = outcome.feedback == .counted
        }
        if evaluateNow || time >= nextEvaluation {
            let before = changes.count
            evaluatePolicy(at: time, parameters: parameters, rescore: outcome.feedback == .counted || time >= nextRescore, changes: &changes)
            outcome.policyChanged = changes.count > before
        }
        return outcome
    }

    /// A business-to-user message.
    @inline(__always)
    private mutating func businessMessage(to pair: PseudonymPair, category: MessageCategory?, time: Int64, tick: Int64) -> EventOutcome {
        totals.messagesSent += 1
        switch category {
        case .marketing: totals.byCategory.0 += 1
        case .utility: totals.byCategory.1 += 1
        case .authentication: totals.byCategory.2 += 1
        case .service: totals.byCategory.3 += 1
        case nil: totals.byCategory.4 += 1
        }
        sends.record(at: time)
        let second = time / 1000
        burst.advance(to: second)
        burst.add(at: second)
        let hour = time / 3_600_000
        burstPeaks.advance(to: hour)
        burstPeaks.raise(to: burst.total, at: hour)

        var outcome = EventOutcome()
        let wrote = writers.contains(pair)
        outcome.coldRecipient = !wrote
        guard let slot = recentSlot(for: pair, tick: tick, create: true) else {
            outcome.sampled = false
            return outcome
        }
        var entry = recent[slot]
        let windowOpen = entry.isRecentWriter(now: tick)
        if !entry.isRecipient(now: tick) {
            // A new run of messages to this user.
            entry.cold = !wrote
            entry.replied = false
        }
        entry.setOutbound(tick)
        if !windowOpen {
            if entry.isInitiated(now: tick), let age = entry.initiatedAge(now: tick) { initiated.remove(at: tick - Int64(age)) }
            entry.setInitiated(tick)
            initiated.add(at: tick)
            if category == .service { totals.serviceOutsideWindow += 1 }
        }
        recent[slot] = entry
        outcome.businessInitiated = !windowOpen
        let day = Self.day(time)
        initiatedPeaks.advance(to: day)
        let count = businessInitiatedCount24h
        initiatedPeaks.raise(to: count, at: day)
        return outcome
    }

    /// A user-to-business message.
    @inline(__always)
    private mutating func userMessage(from pair: PseudonymPair, tick: Int64) -> EventOutcome {
        totals.messagesReceived += 1
        writers.insert(pair.current)
        var outcome = EventOutcome()
        guard let slot = recentSlot(for: pair, tick: tick, create: true) else {
            outcome.sampled = false
            return outcome
        }
        var entry = recent[slot]
        let answers = entry.isRecipient(now: tick)
        if answers { entry.replied = true }
        entry.setInbound(tick)
        recent[slot] = entry
        outcome.reply = answers
        return outcome
    }

    /// A block or report: counted only from a sampled user with proof of contact, once per user
    /// per 7 days (`count` records it and says whether it was new).
    @inline(__always)
    private mutating func feedback(from pair: PseudonymPair, tick: Int64, parameters: SignalParameters,
                                   count: (inout ContactProof, Int64) -> Bool) -> EventOutcome {
        var outcome = EventOutcome()
        guard proofs.samples(rank: pair.current.samplingRank) else {
            outcome.sampled = false
            outcome.feedback = .notSampled
            return outcome
        }
        guard let slot = proofSlot(for: pair, tick: tick, create: false), proofs[slot].hasProofOfContact(now: tick) else {
            totals.unprovenFeedback += 1
            outcome.feedback = .withoutProofOfContact
            return outcome
        }
        let before = proofs[slot]
        if count(&proofs[slot], tick) {
            quality.update(from: before, to: proofs[slot], tick: tick, parameters: parameters)
            outcome.feedback = .counted
        } else {
            totals.duplicateFeedback += 1
            outcome.feedback = .duplicate
        }
        return outcome
    }

    /// The day number of `time`.
    @inline(__always)
    static func day(_ time: Int64) -> Int64 { time / 86_400_000 }
}
