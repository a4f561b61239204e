import Transport

// Admission: may this business send to this user now? Checks in Meta's order of severity.
extension BusinessState {
    /// The user's 24-hour entry without changing anything (current pseudonym, then previous).
    func peekRecent(_ pair: PseudonymPair) -> RecentContact? {
        let parity = UInt8(truncatingIfNeeded: pair.epoch) & 1
        if let index = recent.find(fingerprint: pair.current.fingerprint, parity: parity) { return recent[index] }
        if let previous = pair.previous, let index = recent.find(fingerprint: previous.fingerprint, parity: parity ^ 1) {
            return recent[index]
        }
        return nil
    }

    /// The refusal for a message to `pair`'s user at `time`, or nil to admit it (its rate-limit
    /// tokens are then taken). The pair-rate and throughput gates run on `rateTime` when given
    /// (wall time while event time is warped; see ``TimeWarp``), else on event time.
    ///
    /// 1. policy block → 368; 2. for a message outside a customer-service window: spam
    /// restriction → 131048, tier exhausted (a new business-initiated user while the limit is
    /// reached) → 131048; 3. pair rate → 131056; 4. throughput → 130429.
    ///
    /// Whether a window is open is known for sampled users; for the others the message's own
    /// category stands in (`service` claims a reply). Sampled users keep the claim honest:
    /// `service` messages outside a window are counted in the signals.
    mutating func admit(_ pair: PseudonymPair, category: MessageCategory, time requested: Int64, rateTime: Int64?,
                        parameters: SignalParameters, changes: inout [PolicyChange]) -> AdmissionRefusal? {
        let time = max(requested, lastSeen)
        let gateTime = rateTime ?? time
        let tick = TimeTicks.tick(time)
        initiated.advance(to: tick)
        if time >= nextEvaluation { evaluatePolicy(at: time, parameters: parameters, rescore: time >= nextRescore, changes: &changes) }
        if let until = policy.policyBlockedUntil, time < until {
            totals.refusedPolicyBlock += 1
            return .policyBlock(until: until)
        }
        let sampled = recent.samples(rank: pair.current.samplingRank)
        let entry = sampled ? peekRecent(pair) : nil
        let windowOpen = sampled ? (entry?.isRecentWriter(now: tick) ?? false) : category == .service
        if !windowOpen {
            if let until = policy.spamRestrictedUntil, time < until {
                totals.refusedSpamOrLimit += 1
                return .spamRestriction(until: until)
            }
            if let limit = parameters.rules.limit(of: policy.tier),
               policy.limitReached || businessInitiated24h >= Double(limit),
               !(entry?.isInitiated(now: tick) ?? false) {
                totals.refusedSpamOrLimit += 1
                return .messagingLimit(tier: policy.tier, limit: limit)
            }
        }
        let fingerprint = pair.current.fingerprint
        let pairWait = pairGates.wait(for: fingerprint, at: gateTime, interval: parameters.pairInterval,
                                      burst: parameters.rules.admission.pairBurst)
        if pairWait > 0 {
            totals.refusedPairRate += 1
            return .pairRate(retryAfterMilliseconds: pairWait)
        }
        let upgraded = policy.throughputUpgraded
        let interval = upgraded ? parameters.upgradedThroughputInterval : parameters.throughputInterval
        let burst = upgraded ? parameters.upgradedThroughputBurst : parameters.throughputBurst
        let microseconds = gateTime * 1000
        let throughputWait = throughputGate.wait(at: microseconds, interval: interval, burst: burst)
        if throughputWait > 0 {
            totals.refusedThroughput += 1
            let perSecond = upgraded ? parameters.rules.admission.upgradedThroughputPerSecond : parameters.rules.admission.throughputPerSecond
            return .throughput(perSecond: perSecond, retryAfterMilliseconds: (throughputWait + 999) / 1000)
        }
        pairGates.take(for: fingerprint, at: gateTime, interval: parameters.pairInterval)
        throughputGate.take(at: microseconds, interval: interval)
        return nil
    }
}
