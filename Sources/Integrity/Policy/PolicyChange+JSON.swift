extension PolicyChange {
    /// The change as one JSON line (without newline):
    /// `{"t":…,"business":"+…","change":"tier_upgraded","from":"TIER_250","to":"TIER_2K","webhook":{"field":…,"event":…}}`.
    public var jsonLine: String {
        var out = JSONFields()
        out.integer("t", time)
        out.string("business", business.e164)
        switch kind {
        case let .qualityRatingChanged(from, to):
            out.string("change", "quality_rating")
            out.string("from", from.description)
            out.string("to", to.description)
        case let .statusChanged(from, to):
            out.string("change", "status")
            out.string("from", from.description)
            out.string("to", to.description)
        case .flagged: out.string("change", "flagged")
        case .unflagged: out.string("change", "unflagged")
        case let .tierUpgraded(from, to):
            out.string("change", "tier_upgraded")
            out.string("from", from.description)
            out.string("to", to.description)
        case let .tierDowngraded(from, to):
            out.string("change", "tier_downgraded")
            out.string("from", from.description)
            out.string("to", to.description)
        case .throughputUpgraded: out.string("change", "throughput_upgraded")
        case let .messagingLimitReached(tier):
            out.string("change", "messaging_limit_reached")
            out.string("tier", tier.description)
        case let .messagingLimitCleared(tier):
            out.string("change", "messaging_limit_cleared")
            out.string("tier", tier.description)
        case let .spamRestricted(until):
            out.string("change", "spam_restricted")
            out.integer("until", until)
        case .spamRestrictionLifted: out.string("change", "spam_restriction_lifted")
        case let .policyBlocked(until):
            out.string("change", "policy_blocked")
            out.integer("until", until)
        case .policyBlockLifted: out.string("change", "policy_block_lifted")
        }
        if let webhook {
            out.raw("webhook", "{\"field\":\(JSONFields.quote(webhook.field)),\"event\":\(JSONFields.quote(webhook.event))}")
        }
        return out.text
    }
}
