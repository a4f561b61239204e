import Glibc
import Transport

/// The rules turned into what the per-event code needs: integer intervals, reason weights by raw
/// value, and the recency weight of every age in ticks — computed once per analyzer.
///
/// A class (immutable, so shared safely): the core hands it to the business it applies an event
/// to while the core itself is being changed, and a ~0.5 KiB struct read from the core there is
/// copied onto the stack first — on every event; a reference is passed as is.
final class SignalParameters: Sendable {
    let rules: Rules
    /// What the policy state machine reads of ``rules``, flat (no copy of the rules per evaluation).
    let thresholds: NumberPolicy.Thresholds
    /// Pair-rate interval (ms).
    let pairInterval: Int64
    /// Throughput interval at the normal and the upgraded rate (µs).
    let throughputInterval: Int64
    let upgradedThroughputInterval: Int64
    /// Throughput burst in messages at the normal and the upgraded rate.
    let throughputBurst: Int
    let upgradedThroughputBurst: Int
    /// Idle eviction and policy evaluation periods (ms).
    let idleEviction: Int64
    let policyEvaluation: Int64
    let qualityRescore: Int64
    /// Block / report weights indexed by the reasons' raw values.
    let blockWeights: [Double]
    let reportWeights: [Double]
    /// `recencyWeights[age]` = 2^(−age / half-life) for ages 0 ..< 7 days in ticks.
    let recencyWeights: [Double]
    /// `growthWeights[ticks]` = 2^(ticks / half-life) for ages 0 ..< 7 days in ticks: the weight,
    /// seen from a quality tally's frame, of a field made that long after it.
    let growthWeights: [Double]

    init(rules: Rules) {
        self.rules = rules
        thresholds = NumberPolicy.Thresholds(rules)
        pairInterval = Int64(rules.admission.pairIntervalMilliseconds)
        throughputInterval = max(1, 1_000_000 / Int64(rules.admission.throughputPerSecond))
        upgradedThroughputInterval = max(1, 1_000_000 / Int64(rules.admission.upgradedThroughputPerSecond))
        throughputBurst = max(1, Int((Double(rules.admission.throughputPerSecond) * rules.admission.throughputBurstSeconds).rounded()))
        upgradedThroughputBurst = max(1, Int((Double(rules.admission.upgradedThroughputPerSecond) * rules.admission.throughputBurstSeconds).rounded()))
        idleEviction = Int64(rules.analyzer.idleEvictionDays * 86_400_000)
        policyEvaluation = Int64(rules.analyzer.policyEvaluationMinutes * 60_000)
        qualityRescore = Int64(rules.analyzer.qualityRescoreMinutes * 60_000)
        var blocks = [Double](repeating: 0, count: 8)
        for reason in BlockReason.allCases { blocks[Int(reason.rawValue)] = rules.quality.blockWeights[reason.description] ?? 0 }
        blockWeights = blocks
        var reports = [Double](repeating: 0, count: 8)
        for reason in ReportReason.allCases { reports[Int(reason.rawValue)] = rules.quality.reportWeights[reason.description] ?? 0 }
        reportWeights = reports
        let halfLifeTicks = rules.signals.recencyHalfLifeHours * 6
        recencyWeights = (0..<TimeTicks.week).map { age in exp2(-Double(age) / halfLifeTicks) }
        growthWeights = (0..<TimeTicks.week).map { ticks in exp2(Double(ticks) / halfLifeTicks) }
    }

    /// The recency weight of an age in ticks (0 outside 7 days).
    @inline(__always)
    func weight(age: Int) -> Double { age < recencyWeights.count ? recencyWeights[age] : 0 }
}
