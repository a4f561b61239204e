import Transport

extension BusinessState {
    /// The signals at `time` (at least the latest event time). Read-only: scans the tables.
    func signals(at requested: Int64, activeUsers: Double, parameters: SignalParameters) -> BusinessSignals {
        let time = max(requested, lastSeen)
        let tick = TimeTicks.tick(time)
        var ring = initiated
        ring.advance(to: tick)
        var peaks = initiatedPeaks
        peaks.advance(to: Self.day(time))
        var bursts = burst
        bursts.advance(to: time / 1000)
        var burstHours = burstPeaks
        burstHours.advance(to: time / 3_600_000)
        var blocksWithout = unprovenBlocks
        blocksWithout.advance(to: Self.day(time))
        var reportsWithout = unprovenReports
        reportsWithout.advance(to: Self.day(time))

        var recipients = 0, cold = 0, replied = 0, writerCount = 0
        recent.forEach { entry in
            if entry.isRecipient(now: tick) {
                recipients += 1
                if entry.cold { cold += 1 }
                if entry.replied { replied += 1 }
            }
            if entry.isRecentWriter(now: tick) { writerCount += 1 }
        }
        let recentScale = recent.scale
        let proofScale = proofs.scale
        let quality = measureQuality(tick: tick, parameters: parameters)
        let initiated24h = Double(ring.total) * recentScale
        let unique = Double(recipients) * recentScale

        var blockReasons: [BlockReason: Double] = [:]
        if quality.blockWeight > 0 {
            for reason in BlockReason.allCases { blockReasons[reason] = quality.blockReasons[Int(reason.rawValue)] / quality.blockWeight }
        }
        var reportReasons: [ReportReason: Double] = [:]
        if quality.reportWeight > 0 {
            for reason in ReportReason.allCases { reportReasons[reason] = quality.reportReasons[Int(reason.rawValue)] / quality.reportWeight }
        }
        let sendRates = sends.rates
        let sent = sendRates.day.rate(at: time)
        let deliveredRate = delivered24h.rate(at: time)
        let rules = parameters.rules
        return BusinessSignals(
            business: business,
            time: time,
            qualityRating: policy.rating,
            status: policy.status,
            messagingLimit: policy.tier,
            messagingLimitUsers: rules.limit(of: policy.tier),
            throughputPerSecond: policy.throughputUpgraded ? rules.admission.upgradedThroughputPerSecond : rules.admission.throughputPerSecond,
            qualityScore: quality.score(priorUsers: rules.quality.priorUsers, scale: proofScale),
            flaggedSince: policy.flaggedSince,
            spamRestrictedUntil: policy.spamRestrictedUntil,
            policyBlockedUntil: policy.policyBlockedUntil,
            sendRate1m: sendRates.minute.rate(at: time),
            sendRate1h: sendRates.hour.rate(at: time),
            burst15s: bursts.total,
            peakBurst15s24h: burstHours.maximum,
            uniqueRecipients24h: unique,
            businessInitiated24h: initiated24h,
            peakBusinessInitiated7d: max(Double(peaks.maximum), initiated24h),
            coldRecipients24h: Double(cold) * recentScale,
            coldRecipientShare: recipients > 0 ? Double(cold) / Double(recipients) : 0,
            recentWriters24h: Double(writerCount) * recentScale,
            activeUsers24h: activeUsers,
            reach24h: activeUsers > 0 ? min(1, unique / activeUsers) : 0,
            deliveredRate24h: sent > 0 ? min(1, deliveredRate / sent) : 0,
            readRate24h: deliveredRate > 0 ? min(1, read24h.rate(at: time) / deliveredRate) : 0,
            replyRate24h: recipients > 0 ? Double(replied) / Double(recipients) : 0,
            deliveredUsers7d: Double(quality.deliveredUsers) * proofScale,
            blockRate7d: quality.deliveredWeight > 0 ? quality.blockWeight / quality.deliveredWeight : 0,
            reportRate7d: quality.deliveredWeight > 0 ? quality.reportWeight / quality.deliveredWeight : 0,
            blockReasons: blockReasons,
            reportReasons: reportReasons,
            unprovenBlocks7d: Double(blocksWithout.total) * proofScale,
            unprovenReports7d: Double(reportsWithout.total) * proofScale,
            messagesSent: totals.messagesSent,
            messagesReceived: totals.messagesReceived,
            delivered: totals.delivered,
            read: totals.read,
            blocks: totals.blocks,
            reports: totals.reports,
            countedBlocks: totals.countedBlocks,
            countedReports: totals.countedReports,
            serviceOutsideWindow: totals.serviceOutsideWindow,
            refusals: [368: totals.refusedPolicyBlock, 131048: totals.refusedSpamOrLimit,
                       131056: totals.refusedPairRate, 130429: totals.refusedThroughput],
            samplingLevel24h: recent.level,
            samplingLevel7d: proofs.level,
            writerFilterFill: writers.fillRatio,
            memoryBytes: memoryFootprint,
            firstSeen: firstSeen,
            lastSeen: lastSeen,
            dormant: false
        )
    }

    /// Bytes this business costs: the value itself plus each heap allocation (payload, the
    /// array header of 32 bytes and 16 bytes of allocator overhead).
    var memoryFootprint: Int {
        func allocation(_ payload: Int) -> Int { payload == 0 ? 0 : payload + 32 + 16 }
        return MemoryLayout<BusinessState>.stride
            + allocation(recent.heapBytes) + allocation(proofs.heapBytes)
            + allocation(writers.currentHeapBytes) + allocation(writers.previousHeapBytes)
            + allocation(pairGates.heapBytes)
    }
}
