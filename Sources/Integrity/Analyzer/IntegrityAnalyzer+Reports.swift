public import Transport

/// Where a would-be report stands against what the analyzer remembers — what applying it now
/// would make of it.
public enum ReportStanding: Sendable, Hashable {
    /// It would count: the business delivered to the reporter in the last 7 days and no report
    /// from them was counted in that time.
    case provable
    /// A report from the reporter was already counted in the last 7 days.
    case duplicate
    /// No delivery to the reporter in the last 7 days (or a business the analyzer has no live
    /// state for): report-bombing cannot count.
    case noContact
    /// The reporter is outside the business's sample; the sampled users stand for them.
    case notSampled
}

/// What report intake asks of the analyzer: pseudonyms at the door and the standing of a report.
/// ``IntegrityAnalyzer`` answers; tests may substitute a table.
public protocol ReportOracle {
    /// The pseudonyms of `number` at `time` (rotating keys if the schedule says so).
    func pseudonyms(for number: PhoneNumber, at time: Int64) throws(PseudonymKeyError) -> PseudonymPair
    /// What a report from `reporter` about `business` at `time` would be, without applying it.
    func standing(ofReportFrom reporter: PseudonymPair, about business: PhoneNumber, at time: Int64) -> ReportStanding
}

extension IntegrityAnalyzer: ReportOracle {
    /// The pseudonyms of `number` at `time`, through the analyzer's door.
    public func pseudonyms(for number: PhoneNumber, at time: Int64) throws(PseudonymKeyError) -> PseudonymPair {
        try pseudonymizer.pseudonyms(for: number, at: time)
    }

    /// What a report would be if applied now: decided by applying it to a copy of the business's
    /// state, so the answer is exactly what ``ingest(_:)-(PseudonymizedEvent)`` would do.
    public func standing(ofReportFrom reporter: PseudonymPair, about business: PhoneNumber, at time: Int64) -> ReportStanding {
        core.standing(of: PseudonymizedEvent(time: time, business: business, user: reporter, kind: .report(.other)))
    }

    /// Applies an event that was pseudonymized before — a report accepted by intake, or one
    /// replayed from the report log after a restart (the log holds pseudonyms, never numbers).
    /// Returns nil (counted in ``statistics``) for a time outside ``IntegrityEvent/timeRange``.
    @discardableResult
    public func ingest(_ event: PseudonymizedEvent) -> EventOutcome? {
        guard IntegrityEvent.timeRange.contains(event.time) else {
            statistics.outOfRange += 1
            return nil
        }
        let outcome = core.ingest(event)
        statistics.events += 1
        if !observers.isEmpty, let counters = core.liveCounters(for: event.business) {
            for observer in observers { observer.observe(event, outcome: outcome, counters: counters) }
        }
        return outcome
    }
}

extension IntegrityCore {
    /// The feedback `event` (a block or report) would get, found on a scratch copy of its
    /// business's state; the core itself is not changed. A business without live state has no
    /// proof of contact to offer.
    ///
    /// A reporter the business's 7-day table has no entry for, and who is inside its sample, is
    /// answered without the copy: report floods from users who never heard from the business
    /// (sybils) are the common case, and need not pay for copying the whole state per item.
    func standing(of event: PseudonymizedEvent) -> ReportStanding {
        guard let position = index[event.business] else { return .noContact }
        if businesses[position].certainlyLacksProofOfContact(event.user) { return .noContact }
        return standingByApplying(event, at: position)
    }

    /// ``standing(of:)`` the long way, always on a copy of the state (tests compare the two).
    func standingByApplying(_ event: PseudonymizedEvent, at position: Int) -> ReportStanding {
        var scratch = businesses[position]
        var discarded: [PolicyChange] = []
        switch scratch.apply(event, parameters: parameters, changes: &discarded).feedback {
        case .counted?: return .provable
        case .duplicate?: return .duplicate
        case .notSampled?: return .notSampled
        case .withoutProofOfContact?, nil: return .noContact
        }
    }
}

extension BusinessState {
    /// Whether feedback (a block or report) from `pair`'s user is surely without proof of
    /// contact, whatever applying it would do first: the user is inside the 7-day table's sample
    /// and the table holds no entry for either of their pseudonyms. Advancing the clock only
    /// removes entries and lowers the sampling level, so both facts survive it. Read-only.
    func certainlyLacksProofOfContact(_ pair: PseudonymPair) -> Bool {
        guard proofs.samples(rank: pair.current.samplingRank) else { return false }
        let parity = UInt8(truncatingIfNeeded: pair.epoch) & 1
        if proofs.find(fingerprint: pair.current.fingerprint, parity: parity) != nil { return false }
        if let previous = pair.previous, proofs.find(fingerprint: previous.fingerprint, parity: parity ^ 1) != nil { return false }
        return true
    }
}
