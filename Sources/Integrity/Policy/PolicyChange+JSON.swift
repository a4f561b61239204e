extension PolicyChange {
    /// The change as one JSON line (without newline):
    /// `{"t":…,"business":"+…","change":"tier_upgraded","from":"TIER_250","to":"TIER_2K","webhook":{"field":…,"event":…}}`.
    public var jsonLine: String {
        var out = JSONFields()
        out.integer("t", time)
        out.string("business", business.e164)
        out.string("change", changeName)
        switch kind {
        case let .qualityRatingChanged(from, to):
            out.string("from", from.description)
            out.string("to", to.description)
        case let .statusChanged(from, to):
            out.string("from", from.description)
            out.string("to", to.description)
        case let .tierUpgraded(from, to), let .tierDowngraded(from, to):
            out.string("from", from.description)
            out.string("to", to.description)
        case let .messagingLimitReached(tier), let .messagingLimitCleared(tier):
            out.string("tier", tier.description)
        case let .spamRestricted(until), let .policyBlocked(until):
            out.integer("until", until)
        case .flagged, .unflagged, .throughputUpgraded, .spamRestrictionLifted, .policyBlockLifted:
            break
        }
        if let webhook {
            out.raw("webhook", "{\"field\":\(JSONFields.quote(webhook.field)),\"event\":\(JSONFields.quote(webhook.event))}")
        }
        return out.text
    }
}
