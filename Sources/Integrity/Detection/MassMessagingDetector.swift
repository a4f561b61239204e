/// Mass messaging: business-initiated users over 24 hours (Meta's messaging-limit counter)
/// against the tier's limit and against the users active on the platform — "a business trying to
/// message all users". Over the limit is a warning (the relay's admission refuses beyond it, so
/// on a replay it marks traffic that bypassed admission); a large share of the population is a
/// warning, "all users" (half of them by default) critical. No state of its own: it reads the
/// analyzer's counter.
enum MassMessagingDetector {
    /// Tier usage (warning), population share (warning, critical).
    static func evaluate(_ inputs: DetectionInputs, parameters: DetectionParameters)
        -> (tier: AlertCondition, populationWarning: AlertCondition, populationCritical: AlertCondition)
    {
        let rules = parameters.rules.massMessaging
        var tier = AlertCondition.clear
        if let limit = inputs.messagingLimitUsers, limit > 0 {
            let usage = inputs.businessInitiated24h / Double(limit)
            tier = AlertCondition(value: usage, breaching: usage >= rules.tierUsage, holding: usage >= parameters.holding(rules.tierUsage))
        }
        guard inputs.population >= Double(rules.minimumPopulation) else { return (tier, .clear, .clear) }
        let share = min(1, inputs.businessInitiated24h / inputs.population)
        func condition(_ threshold: Double) -> AlertCondition {
            AlertCondition(value: share, breaching: share >= threshold, holding: share >= parameters.holding(threshold))
        }
        return (tier, condition(rules.populationShareWarning), condition(rules.populationShareCritical))
    }
}
