/// The body of a `report` frame. The reporter is the connection's authenticated number and is not on
/// the wire.
public struct SpamReport: Sendable, Hashable {
    /// The reported business.
    public var business: PhoneNumber
    /// Why.
    public var reason: ReportReason
    /// The envelope that prompted the report, if the user reported from a message.
    public var envelopeID: EnvelopeID?

    /// Creates the body of a `report`.
    public init(business: PhoneNumber, reason: ReportReason, envelopeID: EnvelopeID? = nil) {
        self.business = business
        self.reason = reason
        self.envelopeID = envelopeID
    }
}
