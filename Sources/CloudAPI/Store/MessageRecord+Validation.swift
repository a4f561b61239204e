import Transport

extension MessageRecord {
    /// The longest id accepted, in UTF-8 bytes (Meta's wamids are about 60).
    public static let maximumIDByteCount = 512
    /// The longest phone-number id or kind accepted, in UTF-8 bytes.
    public static let maximumLabelByteCount = 128
    /// The largest payload accepted (a message's JSON; media travel by reference).
    public static let maximumPayloadByteCount = 4 << 20

    /// The last millisecond a record may carry: 9999-12-31T23:59:59.999Z (day files are named
    /// with four-digit years).
    public static let latestTime: Int64 = 253_402_300_799_999

    /// Why the record cannot be stored, or `nil` if it can. The reason never quotes the numbers or
    /// the payload, so it is safe to log.
    public var validationFailure: String? {
        if id.isEmpty || id.utf8.count > Self.maximumIDByteCount {
            return "the id must have 1...\(Self.maximumIDByteCount) bytes"
        }
        if businessPhoneNumberID.isEmpty || businessPhoneNumberID.utf8.count > Self.maximumLabelByteCount {
            return "the phone-number id must have 1...\(Self.maximumLabelByteCount) bytes"
        }
        if kind.isEmpty || kind.utf8.count > Self.maximumLabelByteCount {
            return "the kind must have 1...\(Self.maximumLabelByteCount) bytes"
        }
        if PhoneNumber(business) == nil { return "the business number is not an E.164 number" }
        if PhoneNumber(consumer) == nil { return "the consumer number is not an E.164 number" }
        if time < 0 { return "the time is before 1970" }
        if time > Self.latestTime { return "the time is after 9999-12-31" }
        if payload.count > Self.maximumPayloadByteCount {
            return "the payload has \(payload.count) bytes; at most \(Self.maximumPayloadByteCount) are stored"
        }
        if delivery.webhookAttempts < 0 { return "the webhook attempt count is negative" }
        return nil
    }
}
