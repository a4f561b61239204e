extension Alert {
    /// The alert as one line of `vigil analyze --alerts` (without newline):
    /// `{"t":…,"status":"firing","alertname":"MassMessaging","business":"+…","severity":"critical","summary":"…","value":…,"fingerprint":"…","starts_at":…,"ends_at":…|null,"labels":{…}}`.
    public var jsonLine: String {
        var out = JSONFields()
        out.integer("t", time)
        out.string("status", status.rawValue)
        out.string("alertname", name)
        out.string("business", business.e164)
        out.string("severity", severity.rawValue)
        out.string("summary", summary)
        out.number("value", value)
        out.string("fingerprint", fingerprintHex)
        out.integer("starts_at", startsAt)
        out.optionalInteger("ends_at", endsAt)
        let sorted = labels.sorted { $0.key < $1.key }
        out.raw("labels", "{" + sorted.map { "\(JSONFields.quote($0.key)):\(JSONFields.quote($0.value))" }.joined(separator: ",") + "}")
        return out.text
    }
}
