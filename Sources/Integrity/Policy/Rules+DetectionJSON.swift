extension RulesReader {
    /// Reads the `detection` section into `detection`.
    mutating func readDetection(_ detection: inout Rules.Detection) throws(RulesError) {
        try integer("evaluation_interval_ms", &detection.evaluationIntervalMilliseconds)
        try number("hysteresis", &detection.hysteresis)
        try number("for_seconds", &detection.forSeconds)
        try number("resolve_after_seconds", &detection.resolveAfterSeconds)
        try section("velocity") { (r: inout RulesReader) throws(RulesError) in
            try r.integer("burst_messages", &detection.velocity.burstMessages)
            try r.number("cold_share", &detection.velocity.coldShare)
            try r.number("young_number_minutes", &detection.velocity.youngNumberMinutes)
            try r.number("for_seconds", &detection.velocity.forSeconds)
        }
        try section("mass_messaging") { (r: inout RulesReader) throws(RulesError) in
            try r.number("tier_usage", &detection.massMessaging.tierUsage)
            try r.number("population_share_warning", &detection.massMessaging.populationShareWarning)
            try r.number("population_share_critical", &detection.massMessaging.populationShareCritical)
            try r.integer("minimum_population", &detection.massMessaging.minimumPopulation)
        }
        try section("cold_fan_out") { (r: inout RulesReader) throws(RulesError) in
            try r.number("window_minutes", &detection.coldFanOut.windowMinutes)
            try r.integer("cold_messages", &detection.coldFanOut.coldMessages)
        }
        try section("feedback") { (r: inout RulesReader) throws(RulesError) in
            try r.number("window_hours", &detection.feedback.windowHours)
            try r.number("baseline_days", &detection.feedback.baselineDays)
            try r.number("rate_floor", &detection.feedback.rateFloor)
            try r.number("baseline_factor", &detection.feedback.baselineFactor)
            try r.number("baseline_cap", &detection.feedback.baselineCap)
            try r.integer("minimum_warning", &detection.feedback.minimumWarning)
            try r.integer("minimum_critical", &detection.feedback.minimumCritical)
            try r.number("confidence_z", &detection.feedback.confidenceZ)
        }
        try section("unproven_feedback") { (r: inout RulesReader) throws(RulesError) in
            try r.number("window_minutes", &detection.unprovenFeedback.windowMinutes)
            try r.integer("events", &detection.unprovenFeedback.events)
        }
    }
}

extension Rules.Detection {
    /// The section as a JSON object (part of `vigil analyze --print-rules`).
    var jsonText: String {
        func n(_ value: Double) -> String { Rules.number(value) }
        let v = velocity, m = massMessaging, c = coldFanOut, f = feedback, u = unprovenFeedback
        return """
            {"evaluation_interval_ms": \(evaluationIntervalMilliseconds), "hysteresis": \(n(hysteresis)), \
            "for_seconds": \(n(forSeconds)), "resolve_after_seconds": \(n(resolveAfterSeconds)),
                "velocity": {"burst_messages": \(v.burstMessages), "cold_share": \(n(v.coldShare)), \
            "young_number_minutes": \(n(v.youngNumberMinutes)), "for_seconds": \(n(v.forSeconds))},
                "mass_messaging": {"tier_usage": \(n(m.tierUsage)), "population_share_warning": \(n(m.populationShareWarning)), \
            "population_share_critical": \(n(m.populationShareCritical)), "minimum_population": \(m.minimumPopulation)},
                "cold_fan_out": {"window_minutes": \(n(c.windowMinutes)), "cold_messages": \(c.coldMessages)},
                "feedback": {"window_hours": \(n(f.windowHours)), "baseline_days": \(n(f.baselineDays)), \
            "rate_floor": \(n(f.rateFloor)), "baseline_factor": \(n(f.baselineFactor)), "baseline_cap": \(n(f.baselineCap)), \
            "minimum_warning": \(f.minimumWarning), "minimum_critical": \(f.minimumCritical), "confidence_z": \(n(f.confidenceZ))},
                "unproven_feedback": {"window_minutes": \(n(u.windowMinutes)), "events": \(u.events)}}
            """
    }

    /// Checks ranges and orderings of the section; the first problem is thrown with its key path.
    func validate() throws(RulesError) {
        func check(_ condition: Bool, _ path: String, _ message: String) throws(RulesError) {
            if !condition { throw RulesError(path: "detection." + path, message: message) }
        }
        func positive(_ value: Double, _ path: String, max upper: Double) throws(RulesError) {
            try check(value > 0 && value <= upper, path, "must be in (0, \(Rules.number(upper))]")
        }
        func share(_ value: Double, _ path: String) throws(RulesError) {
            try check(value > 0 && value <= 1, path, "must be in (0, 1]")
        }
        try check((1...3_600_000).contains(evaluationIntervalMilliseconds), "evaluation_interval_ms", "must be in 1…3600000")
        try share(hysteresis, "hysteresis")
        try check(forSeconds >= 0 && forSeconds <= 86_400, "for_seconds", "must be in 0…86400")
        try check(resolveAfterSeconds >= 0 && resolveAfterSeconds <= 604_800, "resolve_after_seconds", "must be in 0…604800")
        try check((1...1_000_000).contains(velocity.burstMessages), "velocity.burst_messages", "must be in 1…1000000")
        try share(velocity.coldShare, "velocity.cold_share")
        try positive(velocity.youngNumberMinutes, "velocity.young_number_minutes", max: 525_600)
        try check(velocity.forSeconds >= 0 && velocity.forSeconds <= 86_400, "velocity.for_seconds", "must be in 0…86400")
        try positive(massMessaging.tierUsage, "mass_messaging.tier_usage", max: 1000)
        try share(massMessaging.populationShareWarning, "mass_messaging.population_share_warning")
        try check(massMessaging.populationShareCritical >= massMessaging.populationShareWarning && massMessaging.populationShareCritical <= 1,
                  "mass_messaging.population_share_critical", "must be in population_share_warning…1")
        try check(massMessaging.minimumPopulation >= 1, "mass_messaging.minimum_population", "must be ≥ 1")
        try positive(coldFanOut.windowMinutes, "cold_fan_out.window_minutes", max: 10_080)
        try check((1...10_000_000).contains(coldFanOut.coldMessages), "cold_fan_out.cold_messages", "must be in 1…10000000")
        try positive(feedback.windowHours, "feedback.window_hours", max: 168)
        try check(feedback.baselineDays * 24 > feedback.windowHours && feedback.baselineDays <= 365,
                  "feedback.baseline_days", "must be longer than window_hours (and ≤ 365)")
        try share(feedback.rateFloor, "feedback.rate_floor")
        try check(feedback.baselineFactor >= 1 && feedback.baselineFactor <= 1000, "feedback.baseline_factor", "must be in 1…1000")
        try share(feedback.baselineCap, "feedback.baseline_cap")
        try check(feedback.minimumWarning >= 1, "feedback.minimum_warning", "must be ≥ 1")
        try check(feedback.minimumCritical >= feedback.minimumWarning, "feedback.minimum_critical", "must be at least minimum_warning")
        try check(feedback.confidenceZ >= 0 && feedback.confidenceZ <= 10, "feedback.confidence_z", "must be in 0…10")
        try positive(unprovenFeedback.windowMinutes, "unproven_feedback.window_minutes", max: 10_080)
        try check(unprovenFeedback.events >= 1, "unproven_feedback.events", "must be ≥ 1")
    }
}
