import Stats

extension NumberPolicy {
    /// Every field, enums by raw value.
    func write(to writer: inout SnapshotWriter) {
        writer.uint8(rating.rawValue)
        writer.uint8(UInt8(tier.rawValue))
        writer.optionalInt64(flaggedSince)
        writer.bool(limitReached)
        writer.optionalInt64(spamRestrictedUntil)
        writer.optionalInt64(policyBlockedUntil)
        writer.bool(throughputUpgraded)
        writer.optionalInt64(lastTierChange)
        writer.int64(evaluatedAt)
    }

    static func read(from reader: inout SnapshotReader) throws(SnapshotError) -> NumberPolicy {
        let ratingValue = try reader.uint8()
        guard let rating = QualityRating(rawValue: ratingValue) else { throw .invalid("quality rating \(ratingValue)", offset: reader.offset - 1) }
        let tierValue = try reader.uint8()
        guard let tier = MessagingTier(rawValue: Int(tierValue)) else { throw .invalid("tier \(tierValue)", offset: reader.offset - 1) }
        var policy = NumberPolicy(tier: tier)
        policy.rating = rating
        policy.flaggedSince = try reader.optionalInt64()
        policy.limitReached = try reader.bool()
        policy.spamRestrictedUntil = try reader.optionalInt64()
        policy.policyBlockedUntil = try reader.optionalInt64()
        policy.throughputUpgraded = try reader.bool()
        policy.lastTierChange = try reader.optionalInt64()
        policy.evaluatedAt = try reader.int64()
        return policy
    }
}

extension BusinessTotals {
    /// The counters in declaration order.
    private var fields: [Int] {
        [messagesSent, messagesReceived, delivered, read, blocks, reports, countedBlocks, countedReports, duplicateFeedback,
         unprovenFeedback, byCategory.0, byCategory.1, byCategory.2, byCategory.3, byCategory.4, serviceOutsideWindow,
         refusedPolicyBlock, refusedSpamOrLimit, refusedPairRate, refusedThroughput]
    }

    func write(to writer: inout SnapshotWriter) {
        for field in fields { writer.int64(Int64(field)) }
    }

    static func read(from reader: inout SnapshotReader) throws(SnapshotError) -> BusinessTotals {
        var values: [Int] = []
        for _ in 0..<20 {
            let value = try reader.int64()
            try reader.check(value >= 0, "a negative counter")
            values.append(Int(value))
        }
        var totals = BusinessTotals()
        (totals.messagesSent, totals.messagesReceived, totals.delivered, totals.read) = (values[0], values[1], values[2], values[3])
        (totals.blocks, totals.reports, totals.countedBlocks, totals.countedReports) = (values[4], values[5], values[6], values[7])
        (totals.duplicateFeedback, totals.unprovenFeedback) = (values[8], values[9])
        totals.byCategory = (values[10], values[11], values[12], values[13], values[14])
        totals.serviceOutsideWindow = values[15]
        (totals.refusedPolicyBlock, totals.refusedSpamOrLimit, totals.refusedPairRate, totals.refusedThroughput) =
            (values[16], values[17], values[18], values[19])
        return totals
    }
}

extension DecayedRate {
    func write(to writer: inout SnapshotWriter) {
        writer.double(state.decayedCount)
        writer.optionalInt64(state.lastTime)
    }

    /// A rate with time constant `tau` resumed from what was written.
    static func read(from reader: inout SnapshotReader, tau: Double) throws(SnapshotError) -> DecayedRate {
        let count = try reader.double()
        try reader.check(count.isFinite && count >= 0, "decayed count \(count)")
        return DecayedRate(timeConstantMilliseconds: tau, state: State(decayedCount: count, lastTime: try reader.optionalInt64()))
    }
}
