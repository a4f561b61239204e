/// The signals JSON of `vigil analyze --signals` (and the HTTP API): one object per business,
/// snake_case keys, numbers rounded to 6 decimals, `null` for what is unknown.
///
/// ```json
/// {"businesses":[
/// {"business":"+14155550100","quality_rating":"GREEN","status":"CONNECTED","messaging_limit":"TIER_250",…,
///  "unique_recipients_24h":120,"business_initiated_24h":80,"block_rate_7d":0.004,"report_rate_7d":0,…}
/// ]}
/// ```
public enum SignalsReport {
    /// The whole document, one business per line.
    public static func json(_ signals: [BusinessSignals]) -> String {
        "{\"businesses\":[\n" + signals.map(\.jsonObject).joined(separator: ",\n") + "\n]}\n"
    }
}

extension BusinessSignals {
    /// This business as one JSON object.
    public var jsonObject: String {
        var out = JSONFields()
        out.string("business", business.e164)
        out.integer("time", time)
        out.string("quality_rating", qualityRating.description)
        out.string("status", status.description)
        out.string("messaging_limit", messagingLimit.description)
        out.optionalInteger("messaging_limit_users", messagingLimitUsers.map(Int64.init))
        out.integer("throughput_per_second", Int64(throughputPerSecond))
        out.optionalNumber("quality_score", qualityScore)
        out.optionalInteger("flagged_since", flaggedSince)
        out.optionalInteger("spam_restricted_until", spamRestrictedUntil)
        out.optionalInteger("policy_blocked_until", policyBlockedUntil)
        out.number("send_rate_1m", sendRate1m)
        out.number("send_rate_1h", sendRate1h)
        out.integer("burst_15s", Int64(burst15s))
        out.integer("peak_burst_15s_24h", Int64(peakBurst15s24h))
        out.number("unique_recipients_24h", uniqueRecipients24h)
        out.number("business_initiated_24h", businessInitiated24h)
        out.number("peak_business_initiated_7d", peakBusinessInitiated7d)
        out.number("cold_recipients_24h", coldRecipients24h)
        out.number("cold_recipient_share", coldRecipientShare)
        out.number("recent_writers_24h", recentWriters24h)
        out.number("active_users_24h", activeUsers24h)
        out.number("reach_24h", reach24h)
        out.number("delivered_rate_24h", deliveredRate24h)
        out.number("read_rate_24h", readRate24h)
        out.number("reply_rate_24h", replyRate24h)
        out.number("delivered_users_7d", deliveredUsers7d)
        out.number("block_rate_7d", blockRate7d)
        out.number("report_rate_7d", reportRate7d)
        out.raw("block_reasons", JSONFields.object(blockReasons.map { ($0.key.description, $0.value) }))
        out.raw("report_reasons", JSONFields.object(reportReasons.map { ($0.key.description, $0.value) }))
        out.number("unproven_blocks_7d", unprovenBlocks7d)
        out.number("unproven_reports_7d", unprovenReports7d)
        out.integer("messages_sent", Int64(messagesSent))
        out.integer("messages_received", Int64(messagesReceived))
        out.integer("delivered", Int64(delivered))
        out.integer("read", Int64(read))
        out.integer("blocks", Int64(blocks))
        out.integer("reports", Int64(reports))
        out.integer("counted_blocks", Int64(countedBlocks))
        out.integer("counted_reports", Int64(countedReports))
        out.integer("service_outside_window", Int64(serviceOutsideWindow))
        out.raw("refusals", JSONFields.object(refusals.map { (String($0.key), Double($0.value)) }))
        out.integer("sampling_level_24h", Int64(samplingLevel24h))
        out.integer("sampling_level_7d", Int64(samplingLevel7d))
        out.number("writer_filter_fill", writerFilterFill)
        out.integer("memory_bytes", Int64(memoryBytes))
        out.integer("first_seen", firstSeen)
        out.integer("last_seen", lastSeen)
        out.raw("dormant", dormant ? "true" : "false")
        return out.text
    }
}

/// A JSON object built field by field, keys in insertion order (tools compare output as text).
struct JSONFields {
    private var body = ""

    var text: String { "{" + body + "}" }

    mutating func raw(_ key: String, _ value: String) {
        if !body.isEmpty { body += "," }
        body += "\"\(key)\":\(value)"
    }

    mutating func string(_ key: String, _ value: String) { raw(key, Self.quote(value)) }
    mutating func integer(_ key: String, _ value: Int64) { raw(key, String(value)) }
    mutating func number(_ key: String, _ value: Double) { raw(key, Self.number(value)) }
    mutating func optionalInteger(_ key: String, _ value: Int64?) { raw(key, value.map { String($0) } ?? "null") }
    mutating func optionalNumber(_ key: String, _ value: Double?) { raw(key, value.map(Self.number) ?? "null") }

    /// An object of numbers with keys sorted.
    static func object(_ pairs: [(String, Double)]) -> String {
        "{" + pairs.sorted { $0.0 < $1.0 }.map { "\(quote($0.0)):\(number($0.1))" }.joined(separator: ",") + "}"
    }

    /// A finite number rounded to 6 decimals in shortest form (integers without a point); NaN
    /// and infinities become null.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        let rounded = (value * 1e6).rounded() / 1e6
        if rounded == rounded.rounded(), abs(rounded) < 1e15 { return String(Int64(rounded)) }
        return String(rounded)
    }

    /// A JSON string literal.
    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
