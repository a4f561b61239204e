import Transport

/// The 7-day feedback picture of one business, from its sampled contact-proof table, each event
/// weighted by its recency (``Rules/Signals/recencyHalfLifeHours``). Sums are in sample units.
struct QualityMeasure: Sendable {
    /// Σ recency over sampled users delivered to in the last 7 days.
    var deliveredWeight = 0.0
    /// Sampled users delivered to in the last 7 days.
    var deliveredUsers = 0
    /// Σ recency over counted blocks / reports.
    var blockWeight = 0.0
    var reportWeight = 0.0
    /// Σ recency × reason weight over counted blocks and reports.
    var negativeWeight = 0.0
    /// Σ recency by reason, indexed by the reasons' raw values.
    var blockReasons = InlineArray<5, Double>(repeating: 0)
    var reportReasons = InlineArray<5, Double>(repeating: 0)

    /// The quality score: weighted negative feedback per weighted delivered user, with
    /// `priorUsers` clean users (in real users, so divided by the sampling `scale`) added to the
    /// denominator; nil with no delivery and no feedback.
    func score(priorUsers: Double, scale: Double) -> Double? {
        guard deliveredWeight > 0 || negativeWeight > 0 else { return nil }
        return negativeWeight / (deliveredWeight + priorUsers / scale)
    }
}

extension BusinessState {
    /// Scans the 7-day table (O(slots)). The policy re-measures through ``quality`` instead; the
    /// signals report this scan.
    func measureQuality(tick: Int64, parameters: SignalParameters) -> QualityMeasure {
        var measure = QualityMeasure()
        proofs.forEach { entry in
            if let age = entry.deliveredAge(now: tick), age < TimeTicks.week {
                measure.deliveredUsers += 1
                measure.deliveredWeight += parameters.weight(age: age)
            }
            if let age = entry.blockedAge(now: tick), age < TimeTicks.week {
                let weight = parameters.weight(age: age)
                let reason = Int(entry.blockReason.rawValue)
                measure.blockWeight += weight
                measure.blockReasons[reason] += weight
                measure.negativeWeight += weight * parameters.blockWeights[reason]
            }
            if let age = entry.reportedAge(now: tick), age < TimeTicks.week {
                let weight = parameters.weight(age: age)
                let reason = Int(entry.reportReason.rawValue)
                measure.reportWeight += weight
                measure.reportReasons[reason] += weight
                measure.negativeWeight += weight * parameters.reportWeights[reason]
            }
        }
        return measure
    }

    /// Runs the policy state machine at `time` (re-measuring quality when `rescore`: from the
    /// tally when it covers the tick, else by a scan of the 7-day table that restarts the tally)
    /// and publishes its changes.
    mutating func evaluatePolicy(at time: Int64, parameters: SignalParameters, rescore: Bool, changes: inout [PolicyChange]) {
        let tick = TimeTicks.tick(time)
        initiated.advance(to: tick)
        if rescore || nextRescore == .min {
            if !quality.covers(tick: tick) { quality.rebuild(from: proofs, tick: tick, parameters: parameters) }
            lastQualityScore = quality.score(tick: tick, priorUsers: parameters.rules.quality.priorUsers,
                                             scale: proofs.scale, parameters: parameters)
            nextRescore = time + parameters.qualityRescore
        }
        let day = Self.day(time)
        initiatedPeaks.advance(to: day)
        let current = businessInitiated24h
        let count = businessInitiatedCount24h
        initiatedPeaks.raise(to: count, at: day)
        let inputs = NumberPolicy.Inputs(time: time, qualityScore: lastQualityScore, businessInitiated24h: current,
                                         peakBusinessInitiated7d: max(Double(initiatedPeaks.maximum), current))
        if !policy.recordIfSettled(inputs, thresholds: parameters.thresholds) {
            for kind in policy.evaluateEveryStep(inputs, thresholds: parameters.thresholds) {
                changes.append(PolicyChange(time: time, business: business, kind: kind))
            }
        }
        nextEvaluation = time + parameters.policyEvaluation
    }
}
