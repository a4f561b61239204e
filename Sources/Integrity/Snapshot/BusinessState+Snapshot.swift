import Stats
import Transport

extension BusinessState {
    /// Every stored property, in declaration order.
    func write(to writer: inout SnapshotWriter) {
        writer.uint64(business.digits)
        writer.int64(lastSeen)
        writer.int64(firstSeen)
        writer.int64(epoch)
        writer.bool(holdsPreviousEpoch)
        writer.int64(lastNormalizedTick)
        writer.int64(nextEvaluation)
        writer.int64(nextRescore)
        writer.optionalDouble(lastQualityScore)
        recent.write(to: &writer)
        proofs.write(to: &writer)
        writers.write(to: &writer)
        initiated.write(to: &writer)
        burst.write(to: &writer)
        burstPeaks.write(to: &writer)
        initiatedPeaks.write(to: &writer)
        let sendRates = sends.rates
        for rate in [sendRates.minute, sendRates.hour, sendRates.day, delivered24h, read24h] { rate.write(to: &writer) }
        totals.write(to: &writer)
        policy.write(to: &writer)
        writer.int64(throughputGate.theoreticalArrival)
        pairGates.write(to: &writer)
        unprovenBlocks.write(to: &writer)
        unprovenReports.write(to: &writer)
        quality.write(to: &writer)
    }

    /// A business's state as written, with table sizes from `parameters`.
    static func read(from reader: inout SnapshotReader, parameters: SignalParameters) throws(SnapshotError) -> BusinessState {
        let digits = try reader.uint64()
        guard let business = PhoneNumber(digits: digits) else { throw .invalid("business number \(digits)", offset: reader.offset - 8) }
        let lastSeen = try reader.int64()
        let firstSeen = try reader.int64()
        try reader.check(IntegrityEvent.timeRange.contains(lastSeen) && IntegrityEvent.timeRange.contains(firstSeen) && firstSeen <= lastSeen,
                         "business times \(firstSeen)…\(lastSeen)")
        let signals = parameters.rules.signals
        var state = BusinessState(business: business, policy: NumberPolicy(tier: .tier250), time: firstSeen, parameters: parameters)
        state.lastSeen = lastSeen
        state.epoch = try reader.int64()
        state.holdsPreviousEpoch = try reader.bool()
        state.lastNormalizedTick = try reader.int64()
        state.nextEvaluation = try reader.int64()
        state.nextRescore = try reader.int64()
        state.lastQualityScore = try reader.optionalDouble()
        state.recent = try .read(from: &reader, maximumSlots: signals.recentContactSlots)
        state.proofs = try .read(from: &reader, maximumSlots: signals.contactProofSlots)
        state.writers = try .read(from: &reader, bitCount: signals.writerFilterBits)
        state.initiated = try .read(from: &reader)
        state.burst = try .read(from: &reader)
        state.burstPeaks = try .read(from: &reader)
        state.initiatedPeaks = try .read(from: &reader)
        let ratesOffset = reader.offset
        let minute = try DecayedRate.read(from: &reader, tau: SendRates.minute).state
        let hour = try DecayedRate.read(from: &reader, tau: SendRates.hour).state
        let day = try DecayedRate.read(from: &reader, tau: SendRates.day).state
        guard let sends = SendRates(minute: minute, hour: hour, day: day) else {
            throw .invalid("send rates with different clocks \(minute.lastTime.map(String.init) ?? "nil"), "
                + "\(hour.lastTime.map(String.init) ?? "nil"), \(day.lastTime.map(String.init) ?? "nil")", offset: ratesOffset)
        }
        state.sends = sends
        state.delivered24h = try .read(from: &reader, tau: state.delivered24h.timeConstantMilliseconds)
        state.read24h = try .read(from: &reader, tau: state.read24h.timeConstantMilliseconds)
        state.totals = try .read(from: &reader)
        state.policy = try .read(from: &reader)
        state.throughputGate = RateGate(theoreticalArrival: try reader.int64())
        state.pairGates = try .read(from: &reader, capacity: signals.pairSlots)
        state.unprovenBlocks = try .read(from: &reader)
        state.unprovenReports = try .read(from: &reader)
        state.quality = try .read(from: &reader, maximumFields: 3 * signals.contactProofSlots)
        return state
    }
}
