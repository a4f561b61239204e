import Foundation

extension Rules {
    /// Rules from a JSON object: the defaults, overridden by every key present. Unknown keys,
    /// values of the wrong type and inconsistent thresholds are refused with the key's path.
    public init(json bytes: [UInt8]) throws(RulesError) {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(bytes))
        } catch {
            throw RulesError(path: "", message: "not valid JSON (\(error.localizedDescription))")
        }
        guard let root = object as? [String: Any] else { throw RulesError(path: "", message: "the top level must be an object") }
        var rules = Rules()
        var reader = RulesReader(object: root, path: "")
        try reader.section("pseudonyms") { (r: inout RulesReader) throws(RulesError) in
            try r.integer("rotation_days", &rules.pseudonyms.rotationDays)
            try r.integer("grace_days", &rules.pseudonyms.graceDays)
        }
        try reader.section("signals") { (r: inout RulesReader) throws(RulesError) in
            try r.integer("recent_contact_slots", &rules.signals.recentContactSlots)
            try r.integer("contact_proof_slots", &rules.signals.contactProofSlots)
            try r.integer("writer_filter_bits", &rules.signals.writerFilterBits)
            try r.integer("pair_slots", &rules.signals.pairSlots)
            try r.number("recency_half_life_hours", &rules.signals.recencyHalfLifeHours)
        }
        try reader.section("quality") { (r: inout RulesReader) throws(RulesError) in
            try r.number("yellow_score", &rules.quality.yellowScore)
            try r.number("red_score", &rules.quality.redScore)
            try r.number("recovery_factor", &rules.quality.recoveryFactor)
            try r.number("prior_users", &rules.quality.priorUsers)
            try r.weights("block_weights", &rules.quality.blockWeights, names: BlockReasonNames.all)
            try r.weights("report_weights", &rules.quality.reportWeights, names: ReportReasonNames.all)
        }
        try reader.section("limits") { (r: inout RulesReader) throws(RulesError) in
            try r.integers("tier_limits", &rules.limits.tierLimits)
            try r.tier("initial_tier", &rules.limits.initialTier)
            try r.number("upgrade_usage_fraction", &rules.limits.upgradeUsageFraction)
            try r.number("upgrade_cooldown_hours", &rules.limits.upgradeCooldownHours)
            try r.number("flagged_days", &rules.limits.flaggedDays)
        }
        try reader.section("admission") { (r: inout RulesReader) throws(RulesError) in
            try r.integer("pair_interval_ms", &rules.admission.pairIntervalMilliseconds)
            try r.integer("pair_burst", &rules.admission.pairBurst)
            try r.integer("throughput_per_second", &rules.admission.throughputPerSecond)
            try r.integer("upgraded_throughput_per_second", &rules.admission.upgradedThroughputPerSecond)
            try r.number("throughput_burst_seconds", &rules.admission.throughputBurstSeconds)
        }
        try reader.section("enforcement") { (r: inout RulesReader) throws(RulesError) in
            try r.number("spam_restriction_score", &rules.enforcement.spamRestrictionScore)
            try r.number("spam_restriction_hours", &rules.enforcement.spamRestrictionHours)
            try r.number("policy_block_score", &rules.enforcement.policyBlockScore)
            try r.number("policy_block_hours", &rules.enforcement.policyBlockHours)
        }
        try reader.section("analyzer") { (r: inout RulesReader) throws(RulesError) in
            try r.number("idle_eviction_days", &rules.analyzer.idleEvictionDays)
            try r.number("policy_evaluation_minutes", &rules.analyzer.policyEvaluationMinutes)
            try r.number("quality_rescore_minutes", &rules.analyzer.qualityRescoreMinutes)
        }
        try reader.section("detection") { (r: inout RulesReader) throws(RulesError) in
            try r.readDetection(&rules.detection)
        }
        try reader.finish()
        try rules.validate()
        self = rules
    }

    /// The rules as a JSON object with every key (what `vigil analyze --print-rules` shows).
    public var jsonText: String {
        func weights(_ table: [String: Double]) -> String {
            "{" + table.keys.sorted().map { "\"\($0)\": \(Self.number(table[$0] ?? 0))" }.joined(separator: ", ") + "}"
        }
        return """
            {
              "pseudonyms": {"rotation_days": \(pseudonyms.rotationDays), "grace_days": \(pseudonyms.graceDays)},
              "signals": {"recent_contact_slots": \(signals.recentContactSlots), "contact_proof_slots": \(signals.contactProofSlots), \
            "writer_filter_bits": \(signals.writerFilterBits), "pair_slots": \(signals.pairSlots), \
            "recency_half_life_hours": \(Self.number(signals.recencyHalfLifeHours))},
              "quality": {"yellow_score": \(Self.number(quality.yellowScore)), "red_score": \(Self.number(quality.redScore)), \
            "recovery_factor": \(Self.number(quality.recoveryFactor)), "prior_users": \(Self.number(quality.priorUsers)),
                "block_weights": \(weights(quality.blockWeights)),
                "report_weights": \(weights(quality.reportWeights))},
              "limits": {"tier_limits": [\(limits.tierLimits.map(String.init).joined(separator: ", "))], \
            "initial_tier": "\(limits.initialTier)", "upgrade_usage_fraction": \(Self.number(limits.upgradeUsageFraction)), \
            "upgrade_cooldown_hours": \(Self.number(limits.upgradeCooldownHours)), "flagged_days": \(Self.number(limits.flaggedDays))},
              "admission": {"pair_interval_ms": \(admission.pairIntervalMilliseconds), "pair_burst": \(admission.pairBurst), \
            "throughput_per_second": \(admission.throughputPerSecond), \
            "upgraded_throughput_per_second": \(admission.upgradedThroughputPerSecond), \
            "throughput_burst_seconds": \(Self.number(admission.throughputBurstSeconds))},
              "enforcement": {"spam_restriction_score": \(Self.number(enforcement.spamRestrictionScore)), \
            "spam_restriction_hours": \(Self.number(enforcement.spamRestrictionHours)), \
            "policy_block_score": \(Self.number(enforcement.policyBlockScore)), \
            "policy_block_hours": \(Self.number(enforcement.policyBlockHours))},
              "analyzer": {"idle_eviction_days": \(Self.number(analyzer.idleEvictionDays)), \
            "policy_evaluation_minutes": \(Self.number(analyzer.policyEvaluationMinutes)), \
            "quality_rescore_minutes": \(Self.number(analyzer.qualityRescoreMinutes))},
              "detection": \(detection.jsonText)
            }
            """
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}

/// Reads one JSON object of the rules file, remembering which keys it used.
struct RulesReader {
    let object: [String: Any]
    let path: String
    var used: Set<String> = []

    func keyPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    mutating func value(_ key: String) -> Any? {
        guard let value = object[key] else { return nil }
        used.insert(key)
        return value
    }

    mutating func section(_ key: String, _ body: (inout RulesReader) throws(RulesError) -> Void) throws(RulesError) {
        guard let value = value(key) else { return }
        guard let nested = value as? [String: Any] else { throw RulesError(path: keyPath(key), message: "must be an object") }
        var reader = RulesReader(object: nested, path: keyPath(key))
        try body(&reader)
        try reader.finish()
    }

    mutating func number(_ key: String, _ target: inout Double) throws(RulesError) {
        guard let value = value(key) else { return }
        guard let number = Self.double(value) else { throw RulesError(path: keyPath(key), message: "must be a number") }
        target = number
    }

    mutating func integer(_ key: String, _ target: inout Int) throws(RulesError) {
        guard let value = value(key) else { return }
        guard let number = Self.double(value), number == number.rounded(), abs(number) < 1e15 else {
            throw RulesError(path: keyPath(key), message: "must be an integer")
        }
        target = Int(number)
    }

    mutating func integers(_ key: String, _ target: inout [Int]) throws(RulesError) {
        guard let value = value(key) else { return }
        guard let array = value as? [Any] else { throw RulesError(path: keyPath(key), message: "must be an array of integers") }
        var result: [Int] = []
        for element in array {
            guard let number = Self.double(element), number == number.rounded(), abs(number) < 1e15 else {
                throw RulesError(path: keyPath(key), message: "must be an array of integers")
            }
            result.append(Int(number))
        }
        target = result
    }

    mutating func tier(_ key: String, _ target: inout MessagingTier) throws(RulesError) {
        guard let value = value(key) else { return }
        guard let name = value as? String, let tier = MessagingTier(name: name) else {
            throw RulesError(path: keyPath(key), message: "must be one of \(MessagingTier.allCases.map(\.description).joined(separator: ", "))")
        }
        target = tier
    }

    mutating func weights(_ key: String, _ target: inout [String: Double], names: [String]) throws(RulesError) {
        guard let value = value(key) else { return }
        guard let table = value as? [String: Any] else { throw RulesError(path: keyPath(key), message: "must be an object") }
        for (name, weight) in table {
            guard names.contains(name) else {
                throw RulesError(path: "\(keyPath(key)).\(name)", message: "unknown reason (expected \(names.joined(separator: ", ")))")
            }
            guard let number = Self.double(weight), number >= 0, number.isFinite else {
                throw RulesError(path: "\(keyPath(key)).\(name)", message: "must be a number ≥ 0")
            }
            target[name] = number
        }
    }

    func finish() throws(RulesError) {
        if let unknown = object.keys.sorted().first(where: { !used.contains($0) }) {
            throw RulesError(path: keyPath(unknown), message: "unknown key")
        }
    }

    private static func double(_ value: Any) -> Double? {
        if value is String || value is [Any] || value is [String: Any] { return nil }
        return (value as? NSNumber)?.doubleValue
    }
}

/// The schema's block reason names.
enum BlockReasonNames {
    static let all = ["spam", "didnt_sign_up", "offensive", "no_longer_needed", "no_reason"]
}

/// The schema's report reason names.
enum ReportReasonNames {
    static let all = ["spam", "scam", "offensive", "other"]
}
