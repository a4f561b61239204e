extension PolicyChange {
    /// The change as the text of an `integrity` notice the relay sends to the business's own
    /// connection (docs/wire.md) — the Cloud API endpoint turns it into the number's stored
    /// standing and, where Meta has one, the `phone_number_quality_update` or `account_update`
    /// webhook:
    ///
    /// `{"t":MS,"change":"tier_upgraded","quality_rating":"GREEN","status":"CONNECTED","current_limit":"TIER_2K","old_limit":"TIER_250","until":MS,"field":"phone_number_quality_update","event":"UPGRADE"}`
    ///
    /// `old_limit` only on tier changes, `until` only on restrictions and blocks, `field` and
    /// `event` only where a webhook exists. `standing` is the number's policy after the change.
    public func noticeText(standing: NumberPolicy) -> String {
        var out = JSONFields()
        out.integer("t", time)
        out.string("change", changeName)
        out.string("quality_rating", standing.rating.description)
        out.string("status", standing.status.description)
        out.string("current_limit", standing.tier.description)
        switch kind {
        case let .tierUpgraded(from, _), let .tierDowngraded(from, _):
            out.string("old_limit", from.description)
        case let .spamRestricted(until), let .policyBlocked(until):
            out.integer("until", until)
        default:
            break
        }
        if let webhook {
            out.string("field", webhook.field)
            out.string("event", webhook.event)
        }
        return out.text
    }

    /// The `change` name used by the JSON forms (`quality_rating`, `tier_upgraded`, …).
    public var changeName: String {
        switch kind {
        case .qualityRatingChanged: "quality_rating"
        case .statusChanged: "status"
        case .flagged: "flagged"
        case .unflagged: "unflagged"
        case .tierUpgraded: "tier_upgraded"
        case .tierDowngraded: "tier_downgraded"
        case .throughputUpgraded: "throughput_upgraded"
        case .messagingLimitReached: "messaging_limit_reached"
        case .messagingLimitCleared: "messaging_limit_cleared"
        case .spamRestricted: "spam_restricted"
        case .spamRestrictionLifted: "spam_restriction_lifted"
        case .policyBlocked: "policy_blocked"
        case .policyBlockLifted: "policy_block_lifted"
        }
    }
}
