/// Why one report of a batch was not accepted — the machine-readable `reason` of the response's
/// `rejected` list.
public enum ReportRejection: String, Error, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// The item is not an object, or a field is missing or of the wrong type.
    case invalidItem = "invalid_item"
    /// `reporter` or `business` is not an E.164 number (`+` and 8–15 digits).
    case invalidNumber = "invalid_number"
    /// `reason` is not one of `spam`, `scam`, `offensive`, `other`.
    case invalidReason = "invalid_reason"
    /// `t` is not an integer of milliseconds, or lies in the future beyond the allowed skew.
    case invalidTime = "invalid_time"
    /// `t` is older than the proof-of-contact window: it could not count.
    case tooOld = "too_old"
    /// The reporter and the business are the same number.
    case selfReport = "self_report"
    /// The reporter used up its reports for now (token bucket on event time).
    case rateLimited = "rate_limited"
    /// This reporter's report about this business already counted in the window.
    case duplicate
    /// The business delivered nothing to the reporter in the window.
    case noContact = "no_contact"
    /// The reporter is outside the business's sample; proof of contact is kept for the sample.
    case notSampled = "not_sampled"
    /// The pseudonym keys could not be used (key store failure, key already destroyed).
    case unavailable

    /// The wire name.
    public var description: String { rawValue }
}
