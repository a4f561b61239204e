public import Transport

/// One report as a client sent it, after syntax checks: numbers parsed, the reason known. The
/// reporter's number is raw here; it is pseudonymized by ``ReportIntake`` and never stored.
public struct ReportSubmission: Sendable, Hashable {
    /// The consumer who reports.
    public var reporter: PhoneNumber
    /// The business reported.
    public var business: PhoneNumber
    /// Why.
    public var reason: ReportReason
    /// When the report was made (ms since the Unix epoch), or nil for "now".
    public var time: Int64?
    /// The relay envelope the report is about, if the client named one (opaque, ≤ 128 bytes).
    public var envelopeID: String?

    /// Creates a submission.
    public init(reporter: PhoneNumber, business: PhoneNumber, reason: ReportReason, time: Int64? = nil, envelopeID: String? = nil) {
        self.reporter = reporter
        self.business = business
        self.reason = reason
        self.time = time
        self.envelopeID = envelopeID
    }
}

/// A report the intake accepted: ready to apply to the analyzer and to append to the log.
public struct AcceptedReport: Sendable, Hashable {
    /// Its position in the batch.
    public var index: Int
    /// The report as the analyzer applies it (the reporter already pseudonymized).
    public var event: PseudonymizedEvent
    /// The envelope the client named, if any.
    public var envelopeID: String?

    /// Creates an accepted report.
    public init(index: Int, event: PseudonymizedEvent, envelopeID: String?) {
        self.index = index
        self.event = event
        self.envelopeID = envelopeID
    }
}

/// What the intake made of a batch.
public struct ReportBatchOutcome: Sendable, Hashable {
    /// The accepted reports, in batch order.
    public var accepted: [AcceptedReport] = []
    /// The rejected items, in batch order, each with its reason.
    public var rejected: [(index: Int, reason: ReportRejection)] = []

    /// Nothing decided yet.
    public init() {}

    public static func == (left: Self, right: Self) -> Bool {
        left.accepted == right.accepted && left.rejected.elementsEqual(right.rejected) { $0 == $1 }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(accepted)
        for item in rejected {
            hasher.combine(item.index)
            hasher.combine(item.reason)
        }
    }
}
