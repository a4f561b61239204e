// The steps of `NumberPolicy.evaluate`, in the order it runs them.
extension NumberPolicy {
    mutating func expireTimers(at time: Int64, into changes: inout [PolicyChange.Kind]) {
        if let until = spamRestrictedUntil, time >= until {
            spamRestrictedUntil = nil
            changes.append(.spamRestrictionLifted)
        }
        if let until = policyBlockedUntil, time >= until {
            policyBlockedUntil = nil
            changes.append(.policyBlockLifted)
        }
    }

    /// The rating from the score, with hysteresis: a rating improves only once the score is below
    /// the threshold it crossed times the recovery factor.
    mutating func rate(_ score: Double?, rules: borrowing Thresholds, into changes: inout [PolicyChange.Kind]) {
        let new = nextRating(for: score, rules: rules)
        guard new != rating else { return }
        changes.append(.qualityRatingChanged(from: rating, to: new))
        rating = new
    }

    /// The rating ``rate(_:rules:into:)`` moves to from the current one at `score`.
    @inline(__always)
    func nextRating(for score: Double?, rules: borrowing Thresholds) -> QualityRating {
        guard let score else { return .unknown }
        let target: QualityRating = score >= rules.redScore ? .red : score >= rules.yellowScore ? .yellow : .green
        switch (rating, target) {
        case (.red, .yellow), (.red, .green):
            return score >= rules.redScore * rules.recoveryFactor ? .red
                : score >= rules.yellowScore * rules.recoveryFactor ? .yellow : .green
        case (.yellow, .green):
            return score >= rules.yellowScore * rules.recoveryFactor ? .yellow : .green
        default:
            return target
        }
    }

    /// FLAGGED while RED; the flagged period's end costs a tier and restarts the timer.
    mutating func updateFlag(at time: Int64, rules: borrowing Thresholds, into changes: inout [PolicyChange.Kind]) {
        if rating == .red {
            guard let since = flaggedSince else {
                flaggedSince = time
                changes.append(.flagged)
                return
            }
            guard time - since >= rules.flaggedPeriod else { return }
            flaggedSince = time
            if let lower = tier.lower {
                changes.append(.tierDowngraded(from: tier, to: lower))
                tier = lower
                lastTierChange = time
            }
        } else if flaggedSince != nil {
            flaggedSince = nil
            changes.append(.unflagged)
        }
    }

    /// Spam restriction and policy block from the score (renewed while the score stays high).
    mutating func enforce(_ score: Double?, at time: Int64, rules: Rules.Enforcement, into changes: inout [PolicyChange.Kind]) {
        guard let score else { return }
        if score >= rules.policyBlockScore, policyBlockedUntil == nil {
            let until = time + Int64(rules.policyBlockHours * 3_600_000)
            policyBlockedUntil = until
            changes.append(.policyBlocked(until: until))
        } else if score >= rules.spamRestrictionScore, spamRestrictedUntil == nil, policyBlockedUntil == nil {
            let until = time + Int64(rules.spamRestrictionHours * 3_600_000)
            spamRestrictedUntil = until
            changes.append(.spamRestricted(until: until))
        }
    }

    /// One tier up when quality is not RED, the number is not FLAGGED, and the 7-day peak reached
    /// the usage fraction of the limit — at most once per cooldown since the last change (or the
    /// first evaluation).
    mutating func upgradeIfEligible(peak: Double, at time: Int64, rules: borrowing Thresholds, into changes: inout [PolicyChange.Kind]) {
        guard rating != .red, flaggedSince == nil, let higher = tier.higher, let limit = rules.limit(of: tier) else { return }
        if let last = lastTierChange, Double(time - last) < rules.upgradeCooldown { return }
        guard peak >= rules.upgradeUsageFraction * Double(limit) else { return }
        changes.append(.tierUpgraded(from: tier, to: higher))
        tier = higher
        lastTierChange = time
        if higher == .unlimited && !throughputUpgraded {
            throughputUpgraded = true
            changes.append(.throughputUpgraded)
        }
    }

    /// RESTRICTED while the rolling count is at or above the limit.
    mutating func updateLimit(_ initiated: Double, rules: borrowing Thresholds, into changes: inout [PolicyChange.Kind]) {
        let reached = rules.limit(of: tier).map { initiated >= Double($0) } ?? false
        guard reached != limitReached else { return }
        limitReached = reached
        changes.append(reached ? .messagingLimitReached(tier) : .messagingLimitCleared(tier))
    }
}
